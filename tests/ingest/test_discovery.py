"""Home Assistant discovery end to end: real configs and their states, published to the real
Mosquitto, become events in PostgreSQL.

The configs are the corpus's real ones (tests/fixtures/payloads/homeassistant), with their
topics moved under this test's prefix so tests sharing the broker never hear each other.
"""

from __future__ import annotations

import json
from pathlib import Path

from devices.signals import DeviceKind
from tests.ingest.conftest import (
    Publisher,
    RunningIngest,
    ingest_config,
    register,
    scalar,
    wait_for_count,
)
from tests.waiting import wait_until

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads" / "homeassistant"


def messages(case: str, prefix: str, renames: dict[str, str]) -> list[tuple[str, bytes]]:
    """The case's messages, its topics (in topics and payloads) moved under `prefix`."""
    out = []
    for m in json.loads((CORPUS / f"{case}.json").read_text())["messages"]:
        text = m["payload"] if isinstance(m["payload"], str) else json.dumps(m["payload"])
        topic = m["topic"]
        for old, new in renames.items():
            text = text.replace(old, new)
            topic = topic if topic.startswith("homeassistant/") else topic.replace(old, new)
        topic = topic.replace("homeassistant/", f"{prefix}/ha/", 1)
        out.append((topic, text.encode()))
    return out


def test_discovered_devices_states_arrive_as_events(
    db_url: str, mqtt_url: str, topic_prefix: str, publisher: Publisher
) -> None:
    p = topic_prefix
    register(db_url, "h1", {"hall-pir": DeviceKind.MOTION}, source="z2m:0x00158d0006f25853")
    register(db_url, "h1", {"garage-door": DeviceKind.CONTACT}, source="ha:20500de464ec")
    register(db_url, "h1", {"lamp": DeviceKind.SWITCH}, source="ha:shelly1-40f52000cc66-relay-0")
    running = RunningIngest(ingest_config(db_url, mqtt_url, p))
    service = running.start()
    try:
        z2m = messages("real_zigbee2mqtt_motion_discovery", p, {"zigbee2mqtt/": f"{p}/z2m/"})
        esphome = messages("real_esphome_discovery", p, {"garagedoor1/": f"{p}/garagedoor1/"})
        shelly = messages("real_shelly_discovery_base_topic", p, {"shellies/": f"{p}/shellies/"})
        configs = [z2m[0], *esphome[:2], shelly[0]]
        for topic, payload in configs:
            publisher.publish(topic, payload)
        # The state topics discovery named get their own subscriptions; wait until the
        # broker has confirmed them, or their first messages could go unheard.
        door_state, relay_state = esphome[3][0], shelly[1][0]
        wait_until(
            lambda: (
                service.link.is_subscribed(door_state) and service.link.is_subscribed(relay_state)
            ),
            what="discovered state topics subscribed",
        )
        for topic, payload in [z2m[1], esphome[3], shelly[1], shelly[2]]:
            publisher.publish(topic, payload)
        wait_for_count(db_url, "SELECT count(*) FROM events WHERE signal = 'motion'", 1)
        # The ESPHome binary sensor has no device class: the registry's kind (a door) gives
        # it its meaning, with the reed's convention (ON = closed = shut).
        wait_for_count(db_url, "SELECT count(*) FROM events WHERE signal = 'contact_open'", 1)
        wait_for_count(db_url, "SELECT count(*) FROM events WHERE signal = 'switch_on'", 1)
        rows = scalar(
            db_url,
            "SELECT string_agg(device_id || ':' || signal || '=' || value || ':' || activity,"
            " ' ' ORDER BY device_id, signal) FROM events"
            " WHERE signal NOT IN ('link_quality', 'battery_pct', 'available')",
        )
        assert rows == (
            "garage-door:contact_open=0:true hall-pir:motion=1:true lamp:switch_on=1:true"
        )
        wait_until(
            lambda: (
                scalar(db_url, "SELECT available FROM device_status WHERE device_id = 'lamp'")
                is False
            ),
            what="the Shelly's online 'false' read as unavailable",
        )
    finally:
        running.stop()


def test_an_unassigned_discovered_device_is_pending_with_suggestions(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    garden = messages("real_docs_motion_and_removal", topic_prefix, {})
    publisher.publish(*garden[0])
    wait_for_count(db_url, "SELECT count(*) FROM pending_devices WHERE source = 'ha:01ad'", 1)
    assert scalar(db_url, "SELECT suggested_kind FROM pending_devices") == "motion"
    assert scalar(db_url, "SELECT count(*) FROM devices") == 0  # suggested, never assigned

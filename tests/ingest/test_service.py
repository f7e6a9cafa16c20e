"""The ingest service end to end: real broker, real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from paho.mqtt.enums import MQTTProtocolVersion

from broker.server import BrokerThread
from devices import native
from devices.signals import DeviceKind, Signal
from ingest.batch import Batch
from ingest.store import Store
from storage.dead_letters import PAYLOAD_KEEP_BYTES
from tests.ingest.conftest import (
    Publisher,
    RunningIngest,
    ingest_config,
    register,
    scalar,
    wait_for_count,
)


@pytest.mark.timescale
def test_native_messages_become_events_and_device_status(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    topic = native.topic_for(topic_prefix, "h1", "pir")
    publisher.publish(topic, native.encode({Signal.MOTION: 1, Signal.BATTERY_PCT: 87}))
    publisher.publish(topic, native.encode({Signal.MOTION: 0}))

    wait_for_count(db_url, "SELECT count(*) FROM events WHERE home_id = 'h1'", 3)
    assert scalar(db_url, "SELECT count(*) FROM events WHERE activity") == 1
    assert scalar(db_url, "SELECT battery_pct FROM device_status WHERE device_id = 'pir'") == 87
    assert scalar(db_url, "SELECT last_activity_at IS NOT NULL AND available FROM device_status")


def test_redelivered_message_is_stored_once(
    db_url: str, mqtt_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"door": DeviceKind.CONTACT})
    topic = native.topic_for(topic_prefix, "h1", "door")
    at = datetime.now(UTC).isoformat()
    payload = json.dumps({"at": at, "signals": {"contact_open": 1}})
    # A publisher retrying after a lost PUBACK sends the same message again as a new one.
    publisher.publish(topic, payload)
    publisher.publish(topic, payload)
    publisher.publish(topic, native.encode({Signal.CONTACT_OPEN: 0}))

    wait_for_count(db_url, "SELECT count(*) FROM events WHERE value = 0", 1)
    assert scalar(db_url, "SELECT count(*) FROM events WHERE value = 1") == 1


def test_unknown_device_is_recorded_as_pending_not_stored(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    publisher.publish(
        native.topic_for(topic_prefix, "h1", "stranger"), native.encode({Signal.MOTION: 1})
    )
    publisher.publish(
        native.topic_for(topic_prefix, "h1", "stranger"), native.encode({Signal.MOTION: 0})
    )

    wait_for_count(
        db_url, "SELECT messages FROM pending_devices WHERE source = 'native:h1/stranger'", 2
    )
    assert scalar(db_url, "SELECT count(*) FROM events") == 0


def test_pending_devices_events_are_kept_and_attached_to_the_home_on_assignment(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    paired_early = f"{topic_prefix}/h1/zigbee2mqtt/hall/door"
    publisher.publish(paired_early, b'{"contact": false}')
    publisher.publish(paired_early, b'{"contact": true}')
    wait_for_count(db_url, "SELECT count(*) FROM pending_events", 2)
    assert scalar(db_url, "SELECT count(*) FROM events") == 0
    # Assigned hours later: its first events belong to the home after all.
    register(db_url, "h1", {"door": DeviceKind.CONTACT}, source="h1/z2m:hall/door")
    assert scalar(db_url, "SELECT count(*) FROM events WHERE device_id = 'door'") == 2
    assert scalar(db_url, "SELECT count(*) FROM pending_events") == 0


def test_pending_devices_events_are_dropped_after_the_keep_period(db_url: str) -> None:
    store = Store(db_url)
    now = datetime.now(UTC)
    old, recent = now - timedelta(hours=73), now - timedelta(hours=1)
    row = ("", "z2m:stranger", "motion", 1.0, True, "", 1, False, False)
    store.write(
        Batch(
            pending_events=[
                (old, row[0], row[1], row[2], row[3], row[4], old, *row[5:]),
                (recent, row[0], row[1], row[2], row[3], row[4], recent, *row[5:]),
            ]
        ),
        now,
    )
    store.housekeeping(now, timedelta(hours=72))
    assert scalar(db_url, "SELECT count(*) FROM pending_events") == 1
    store.close()


def test_malformed_message_is_dead_lettered_and_good_one_stored(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    topic = native.topic_for(topic_prefix, "h1", "pir")
    publisher.publish(topic, b"{not json")
    publisher.publish(topic, native.encode({Signal.MOTION: 1}))

    wait_for_count(db_url, "SELECT count(*) FROM events", 1)
    assert str(scalar(db_url, "SELECT reason FROM dead_letters")).startswith("malformed JSON")


BAD = [
    (b"{not json", "malformed JSON"),
    (b'{"signals": {"motion": "yes"}}', "finite number"),
    (b'{"signals": {"battery_pct": 4000}}', "absurd value"),
    (b'{"signals": {"motion": 1}, "detail": "' + b"x" * 70_000 + b'"}', "exceeds"),
    (b'{"at": "2099-01-01T00:00:00+00:00", "signals": {"motion": 1}}', "too far"),
]


def test_malformed_flood_never_blocks_good_messages(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    topic = native.topic_for(topic_prefix, "h1", "pir")
    messages = []
    for n in range(500):
        good = json.dumps({"signals": {"button": 1}, "detail": f"good-{n}"}).encode()
        bad, _ = BAD[n % len(BAD)]
        messages += [(topic, good), (topic, bad)]
    messages.append((f"{topic_prefix}/v1/h1/pir/extra", b"online"))  # unknown sub-topic
    publisher.publish_many(messages)

    wait_for_count(db_url, "SELECT count(*) FROM dead_letters", 501)
    wait_for_count(db_url, "SELECT count(*) FROM events WHERE detail LIKE 'good-%%'", 500)
    for _, reason in BAD:
        assert (
            scalar(
                db_url, "SELECT count(*) FROM dead_letters WHERE reason LIKE %s", (f"%{reason}%",)
            )
            == 100
        )
    assert (
        scalar(db_url, "SELECT count(*) FROM dead_letters WHERE reason LIKE 'unknown sub-topic%%'")
        == 1
    )
    # An oversized payload is kept only in part, and says so with its size.
    biggest = "FROM dead_letters ORDER BY payload_bytes DESC LIMIT 1"
    assert scalar(db_url, f"SELECT octet_length(payload) {biggest}") == PAYLOAD_KEEP_BYTES
    size = max(len(payload) for payload, _ in BAD)
    assert scalar(db_url, f"SELECT payload_bytes {biggest}") == size
    assert str(scalar(db_url, f"SELECT reason {biggest}")).endswith(
        f"(payload truncated to {PAYLOAD_KEEP_BYTES} of {size} bytes)"
    )


def test_two_workers_share_the_subscription_without_duplicates(
    db_url: str, mqtt_url: str, topic_prefix: str, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    group = f"g{abs(hash(topic_prefix))}"
    workers = [
        RunningIngest(ingest_config(db_url, mqtt_url, topic_prefix, share_group=group))
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    topic = native.topic_for(topic_prefix, "h1", "pir")
    publisher.publish_many(
        [
            (topic, json.dumps({"signals": {"button": 1}, "detail": f"n{n}"}).encode())
            for n in range(3000)
        ]
    )
    wait_for_count(db_url, "SELECT count(DISTINCT detail) FROM events", 3000)
    assert scalar(db_url, "SELECT count(*) FROM events") == 3000
    received = [w.service.stats.received for w in workers if w.service]
    for worker in workers:
        worker.stop()
    assert all(r > 0 for r in received), received


def test_retained_replay_updates_state_but_is_neither_event_nor_activity(
    db_url: str, mqtt_url: str, topic_prefix: str, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    availability = native.availability_topic_for(topic_prefix, "h1", "pir")
    publisher.publish(availability, "offline", retain=True)
    running = RunningIngest(ingest_config(db_url, mqtt_url, topic_prefix))
    running.start()  # subscribing replays the retained message
    try:
        wait_for_count(db_url, "SELECT count(*) FROM device_status WHERE available = false", 1)
        assert scalar(db_url, "SELECT last_seen_at FROM device_status") is None
        assert scalar(db_url, "SELECT count(*) FROM events") == 0
    finally:
        running.stop()
        publisher.publish(availability, b"", retain=True)  # clear the retained message


def test_falls_back_to_mqtt_3_on_a_broker_that_refuses_mqtt_5(
    db_url: str, topic_prefix: str
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    # Answers MQTT 5 with CONNACK 0x84, as a 3.1.1-only broker does: without the fallback,
    # ingest never connects and this test times out.
    with BrokerThread(accept_mqtt5=False) as broker:
        running = RunningIngest(ingest_config(db_url, broker.url, topic_prefix))
        service = running.start()
        assert service.link.protocol == MQTTProtocolVersion.MQTTv311
        pub = Publisher(broker.url)
        topic = native.topic_for(topic_prefix, "h1", "pir")
        pub.publish_many([(topic, native.encode({Signal.BUTTON: 1})) for _ in range(300)])
        wait_for_count(db_url, "SELECT count(*) FROM events", 300)
        pub.close()
        running.stop()

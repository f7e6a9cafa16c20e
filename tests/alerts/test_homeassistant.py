"""Veille's own status per home appears on the real broker through Home Assistant discovery."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

from alerts.homeassistant import run_status_publisher
from devices.codec import Router
from devices.signals import DeviceKind, Ignored, Room
from storage.homes import upsert_device, upsert_home
from storage.incidents import open_incident
from tests.waiting import wait_until

NOW = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def test_each_home_gets_a_needs_attention_sensor_last_activity_and_open_incident(
    db_url: str, mqtt_url: str, topic_prefix: str
) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        upsert_home(conn, "h1", "Europe/Paris", "Rue des Lilas")
        upsert_device(conn, "h1", "pir", DeviceKind.MOTION, Room.HALL)
        conn.execute(
            "INSERT INTO device_status (home_id, device_id, last_activity_at, updated_at)"
            " VALUES ('h1', 'pir', %s, %s)",
            (NOW, NOW),
        )
        open_incident(conn, "h1", "inactivity", NOW, "no movement since 08:30")
    prefix, base = f"{topic_prefix}/ha", f"{topic_prefix}/veille"
    seen: dict[str, bytes] = {}
    parts = urlsplit(mqtt_url)
    listener = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"ha-{uuid.uuid4().hex[:8]}")
    listener.on_message = lambda c, u, m: seen.__setitem__(m.topic, bytes(m.payload))
    listener.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
    listener.subscribe([(f"{prefix}/#", 1), (f"{base}/#", 1)])
    listener.loop_start()
    stop = threading.Event()
    publisher = threading.Thread(
        target=run_status_publisher, args=(db_url, mqtt_url, prefix, base, stop), daemon=True
    )
    publisher.start()
    config_topic = f"{prefix}/device/veille_h1/config"
    state_topic = f"{base}/status/h1"
    try:
        wait_until(lambda: config_topic in seen and state_topic in seen, what="status published")
        config = json.loads(seen[config_topic])
        assert config["o"]["name"] == "Veille"
        assert config["stat_t"] == state_topic
        classes = {c["name"]: (c["p"], c.get("dev_cla")) for c in config["cmps"].values()}
        assert classes == {
            "Needs attention": ("binary_sensor", "problem"),
            "Last activity": ("sensor", "timestamp"),
            "Open incident": ("sensor", None),
        }
        assert json.loads(seen[state_topic]) == {
            "needs_attention": "ON",
            "last_activity": "2026-12-01T08:30:00+00:00",
            "open_incident": "inactivity",
        }
        assert seen[f"{base}/bridge/state"] == b"online"
        # Ingest, reading the same discovery prefix, does not take Veille for a device.
        router = Router(ha_discovery_prefix=prefix)
        assert isinstance(router.decode(config_topic, seen[config_topic]), Ignored)
    finally:
        stop.set()
        publisher.join(10)
        wait_until(lambda: seen.get(f"{base}/bridge/state") == b"offline", what="offline")
        for topic in (config_topic, state_topic, f"{base}/bridge/state"):
            listener.publish(topic, b"", qos=1, retain=True).wait_for_publish(10)  # no leftovers
        listener.loop_stop()
        listener.disconnect()

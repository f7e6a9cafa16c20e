"""Ingest fixtures: a running ingest service, a publisher, and waiting on the database."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from devices.signals import DeviceKind, Room
from ingest.service import IngestConfig, IngestService
from storage.homes import upsert_device, upsert_home
from tests.waiting import wait_until


def scalar(db_url: str, sql: str, params: tuple[object, ...] = ()) -> object:
    with psycopg.connect(db_url, autocommit=True) as conn:
        row = conn.execute(sql.encode(), params).fetchone()
        return row[0] if row else None


def wait_for_count(db_url: str, sql: str, expected: int, params: tuple[object, ...] = ()) -> None:
    wait_until(lambda: scalar(db_url, sql, params) == expected, what=f"{sql} == {expected}")


class Publisher:
    """A QoS 1 publisher that waits for the broker's acknowledgement of every message."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4()}")
        self.client.max_inflight_messages_set(1000)
        self.client.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
        self.client.loop_start()

    def publish(self, topic: str, payload: bytes | str, retain: bool = False, qos: int = 1) -> None:
        self.client.publish(topic, payload, qos=qos, retain=retain).wait_for_publish(10)

    def publish_many(self, messages: list[tuple[str, bytes]], qos: int = 1) -> None:
        infos = [self.client.publish(t, p, qos=qos) for t, p in messages]
        for info in infos:
            info.wait_for_publish(30)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def publisher(mqtt_url: str) -> Iterator[Publisher]:
    pub = Publisher(mqtt_url)
    yield pub
    pub.close()


class RunningIngest:
    """An ingest service in a thread of the test process; `restart` keeps its MQTT session."""

    def __init__(self, config: IngestConfig) -> None:
        self.config = config
        self.service: IngestService | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> IngestService:
        self._stop = threading.Event()
        self.service = IngestService(self.config)
        self._thread = threading.Thread(target=self.service.run, args=(self._stop,), daemon=True)
        self._thread.start()
        service = self.service
        # `service.link` is replaced when the broker refuses MQTT 5: look it up each time.
        wait_until(lambda: service.link.subscribed.is_set(), what="ingest subscribed")
        return self.service

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(15)
            assert not self._thread.is_alive(), "ingest did not stop"


def ingest_config(
    db_url: str, mqtt_url: str, topic_prefix: str, **overrides: object
) -> IngestConfig:
    config = IngestConfig(
        database_url=db_url,
        mqtt_url=mqtt_url,
        client_id=f"ingest-test-{uuid.uuid4().hex[:12]}",
        topic_prefix=topic_prefix,
        z2m_base_topic=f"{topic_prefix}/z2m",
        session_expiry_s=120,  # tests leave no sessions behind on the shared broker
        shelly=False,
        tasmota=False,
        esphome=False,
        homie=False,
        ha_discovery_prefix=f"{topic_prefix}/ha",
    )
    return replace(config, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def ingest(db_url: str, mqtt_url: str, topic_prefix: str) -> Iterator[RunningIngest]:
    running = RunningIngest(ingest_config(db_url, mqtt_url, topic_prefix))
    running.start()
    yield running
    running.stop()


def register(db_url: str, home_id: str, devices: dict[str, DeviceKind], source: str = "") -> None:
    """Register a home and its devices (natively named unless `source` is given for one)."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        upsert_home(conn, home_id, "Europe/Paris")
        for device_id, kind in devices.items():
            upsert_device(conn, home_id, device_id, kind, Room.OTHER, source=source or None)

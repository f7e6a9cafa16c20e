"""A subscriber on the real broker that collects what the simulator publishes."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from veille.mosquitto import Mosquitto

WAIT_S = 20.0


class Subscriber:
    def __init__(self, url: str, topic: str, client_id: str = "", clean_session: bool = True):
        parts = urlsplit(url)
        self.messages: list[
            tuple[float, str, bytes, bool]
        ] = []  # (monotonic, topic, payload, retain)
        self._cond = threading.Condition()
        self._subscribed = False
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"sim-test-{uuid.uuid4().hex[:8]}",
            clean_session=clean_session,
        )
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe
        self._client.on_connect = lambda c, *_: c.subscribe(topic, qos=1)
        self._client.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
        self._client.loop_start()
        self.wait_for(lambda: self._subscribed)

    def _on_subscribe(self, *_: Any) -> None:
        with self._cond:
            self._subscribed = True
            self._cond.notify_all()

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        with self._cond:
            payload = bytes(message.payload)
            self.messages.append((time.monotonic(), message.topic, payload, message.retain))
            self._cond.notify_all()

    def wait_for(self, condition: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
        with self._cond:
            if not self._cond.wait_for(condition, timeout_s):
                raise AssertionError(f"condition not met within {timeout_s} s")

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


@pytest.fixture
def flat_prefix(topic_prefix: str) -> str:
    """The unique test prefix as one topic level, as Veille's native prefix must be."""
    return topic_prefix.replace("/", "-")


@pytest.fixture
def subscriber(mqtt_url: str, flat_prefix: str) -> Iterator[Subscriber]:
    sub = Subscriber(mqtt_url, f"{flat_prefix}/#")
    yield sub
    sub.close()


@pytest.fixture
def burst_subscriber(private_mosquitto: Mosquitto, flat_prefix: str) -> Iterator[Subscriber]:
    """A subscriber on a private broker that queues up to 100,000 messages per client.

    The simulator publishes history and fast replays in bursts; the shared Mosquitto's
    default queue (1,000 messages) would drop what a busy subscriber has not read yet.
    """
    sub = Subscriber(private_mosquitto.url, f"{flat_prefix}/#")
    yield sub
    sub.close()

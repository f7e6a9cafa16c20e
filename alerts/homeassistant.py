"""Veille's own status for each home, published through Home Assistant MQTT discovery.

One retained device-based config per home at ``<prefix>/device/veille_<home>/config`` with
three entities: a ``problem`` binary sensor "Needs attention" (on while an incident is
open), a ``timestamp`` sensor "Last activity" and a sensor "Open incident" (its kind, or
``none``). The state is one retained JSON object on ``<base>/status/<home>``; availability
is ``<base>/bridge/state`` (``online``, and ``offline`` as the last will). Configs are sent
again when Home Assistant announces itself on ``<prefix>/status``.

Only what the household's own dashboard needs: no names of people, no contacts, no details.
"""

from __future__ import annotations

import json
import logging
import threading
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

from storage.home_status import HomeStatus, home_statuses

log = logging.getLogger(__name__)

PUBLISH_EVERY_S = 30.0  # last activity moves with every motion: a dashboard needs no more
ORIGIN = {"name": "Veille", "url": "https://github.com/veille"}


def config_topic(prefix: str, home_id: str) -> str:
    return f"{prefix}/device/veille_{home_id}/config"


def state_topic(base: str, home_id: str) -> str:
    return f"{base}/status/{home_id}"


def availability_topic(base: str) -> str:
    return f"{base}/bridge/state"


def config(base: str, home: HomeStatus) -> dict[str, object]:
    uid = f"veille_{home.home_id}"
    return {
        # The home's id, not its name: a name is often an address, and brokers are chatty.
        "dev": {"ids": [uid], "name": f"Veille {home.home_id}", "mf": "Veille"},
        "o": ORIGIN,
        "stat_t": state_topic(base, home.home_id),
        "avty_t": availability_topic(base),
        "cmps": {
            f"{uid}_attention": {
                "p": "binary_sensor",
                "dev_cla": "problem",
                "name": "Needs attention",
                "val_tpl": "{{ value_json.needs_attention }}",
                "uniq_id": f"{uid}_attention",
            },
            f"{uid}_last_activity": {
                "p": "sensor",
                "dev_cla": "timestamp",
                "name": "Last activity",
                "val_tpl": "{{ value_json.last_activity }}",
                "uniq_id": f"{uid}_last_activity",
            },
            f"{uid}_incident": {
                "p": "sensor",
                "name": "Open incident",
                "val_tpl": "{{ value_json.open_incident }}",
                "uniq_id": f"{uid}_incident",
            },
        },
    }


def state(home: HomeStatus) -> dict[str, object]:
    return {
        "needs_attention": "ON" if home.open_incident else "OFF",
        "last_activity": home.last_activity_at.isoformat() if home.last_activity_at else None,
        "open_incident": home.open_incident or "none",
    }


class StatusPublisher:
    """Publishes every home's config and state; `publish` is called with fresh statuses."""

    def __init__(self, mqtt_url: str, prefix: str, base: str, client_id: str) -> None:
        parts = urlsplit(mqtt_url)
        self.prefix, self.base = prefix, base
        self._announced: set[str] = set()
        self._lock = threading.Lock()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        if parts.username:
            self.client.username_pw_set(parts.username, parts.password)
        self.client.will_set(availability_topic(base), "offline", qos=1, retain=True)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.connect_async(parts.hostname or "127.0.0.1", parts.port or 1883, 30)
        self.client.loop_start()

    def publish(self, homes: list[HomeStatus]) -> None:
        for home in homes:
            with self._lock:
                fresh = home.home_id not in self._announced
                self._announced.add(home.home_id)
            if fresh:
                payload = json.dumps(config(self.base, home))
                self.client.publish(config_topic(self.prefix, home.home_id), payload, 1, True)
            topic = state_topic(self.base, home.home_id)
            self.client.publish(topic, json.dumps(state(home)), qos=1, retain=True)

    def close(self) -> None:
        self.client.publish(availability_topic(self.base), "offline", qos=1, retain=True)
        self.client.disconnect()
        self.client.loop_stop()

    def _on_connect(self, client: mqtt.Client, *args: object) -> None:
        client.publish(availability_topic(self.base), "online", qos=1, retain=True)
        client.subscribe(f"{self.prefix}/status", qos=1)
        self._forget()  # configs go out again with the next statuses

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        if bytes(msg.payload).strip() == b"online":  # Home Assistant (re)started
            self._forget()

    def _forget(self) -> None:
        with self._lock:
            self._announced.clear()


def run_status_publisher(
    database_url: str, mqtt_url: str, prefix: str, base: str, stop: threading.Event
) -> None:
    """Publish every home's status until `stop`; a database outage only skips a round."""
    publisher = StatusPublisher(mqtt_url, prefix, base, f"veille-status-{base}"[:64])
    try:
        while not stop.is_set():
            try:
                with psycopg.connect(database_url, connect_timeout=5) as conn:
                    publisher.publish(home_statuses(conn))
            except psycopg.OperationalError as exc:
                log.warning("home status not published (database unavailable: %s)", exc)
            stop.wait(PUBLISH_EVERY_S)
    finally:
        publisher.close()

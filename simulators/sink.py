"""Where wire messages go: an MQTT broker (paho-mqtt 2.x, QoS 1) or a JSON lines file."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from simulators.event import Event
from simulators.wire import WireMessage


class SinkError(RuntimeError):
    """The broker refused us or a message could not be delivered."""


class Sink(Protocol):
    def send(self, event: Event | None, messages: list[WireMessage]) -> None: ...

    def close(self) -> None: ...


class MqttSink:
    """Publishes at QoS 1, keeping at most `window` messages unacknowledged.

    Acknowledgements are counted in paho's `on_publish` rather than awaited per message:
    paho keeps QoS 1 messages published while disconnected and resends them on reconnection,
    but refuses to wait on them, so a broker restart must not be an error here.
    """

    def __init__(self, url: str, client_id: str, window: int = 4000, timeout_s: float = 30.0):
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp", ""):
            raise SinkError(f"unsupported MQTT URL scheme {parts.scheme!r} (use mqtt://)")
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self._client.on_connect = self._on_connect
        self._client.on_publish = self._on_publish
        if parts.username:
            self._client.username_pw_set(parts.username, parts.password)
        self._client.max_inflight_messages_set(min(window, 65_000))
        self._window, self._timeout_s = window, timeout_s
        self._cond = threading.Condition()
        self._connected, self._refused = False, ""
        self._sent = self._acked = 0
        try:
            self._client.connect(parts.hostname or "127.0.0.1", parts.port or 1883)
        except OSError as exc:
            raise SinkError(f"cannot connect to {url}: {exc}") from exc
        self._client.loop_start()
        with self._cond:
            answered = self._cond.wait_for(lambda: self._connected or self._refused, timeout_s)
        if not answered or self._refused:
            self._client.disconnect()
            self._client.loop_stop()
            raise SinkError(f"MQTT broker {url} refused or did not answer: {self._refused}")

    def _on_connect(
        self, client: Any, userdata: Any, flags: Any, reason: ReasonCode, properties: Any
    ) -> None:
        with self._cond:
            if reason.is_failure:
                self._refused = str(reason)
            else:
                self._connected = True
            self._cond.notify_all()

    def _on_publish(
        self, client: Any, userdata: Any, mid: int, reason: ReasonCode, properties: Any
    ) -> None:
        with self._cond:
            self._acked += 1
            self._cond.notify_all()

    def send(self, event: Event | None, messages: list[WireMessage]) -> None:
        for message in messages:
            self._client.publish(message.topic, message.payload, qos=1, retain=message.retain)
        with self._cond:
            self._sent += len(messages)
            if self._sent - self._acked > self._window:
                # Wait for half the window at once: fewer hand-offs with paho's network thread.
                self._wait_until(self._window // 2)

    def _wait_until(self, unacknowledged: int) -> None:
        done = self._cond.wait_for(
            lambda: self._sent - self._acked <= unacknowledged, self._timeout_s
        )
        if not done:
            raise SinkError(f"broker did not acknowledge within {self._timeout_s} s")

    def close(self) -> None:
        try:
            with self._cond:
                self._wait_until(0)
        finally:
            self._client.disconnect()
            self._client.loop_stop()


class FileSink:
    """One JSON object per event: what happened plus what went on the wire."""

    def __init__(self, path: Path | str) -> None:
        self._out: IO[str] = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed in close)

    def send(self, event: Event | None, messages: list[WireMessage]) -> None:
        """`event` is None for messages that belong to no event (a bridge's announcements)."""
        if event is None and not messages:
            return
        body: dict[str, Any] = {}
        if event is not None:
            body["at"] = event.at.isoformat()
            body["home"] = event.home_id
            body["device"] = event.device_id
            body["signals"] = {s.value: v for s, v in event.signals.items()}
            if event.device_at is not None:
                body["device_at"] = event.device_at.isoformat()
            if event.detail:
                body["detail"] = event.detail
        body["wire"] = [
            {"topic": m.topic, "payload": m.payload.decode("utf-8", "replace"), "retain": m.retain}
            for m in messages
        ]
        self._out.write(json.dumps(body, separators=(",", ":")) + "\n")

    def close(self) -> None:
        self._out.close()

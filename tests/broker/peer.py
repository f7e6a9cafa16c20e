"""A paho-mqtt client driven from a test: every wait is on a condition with a timeout."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

WAIT_S = 30.0


class Peer:
    def __init__(
        self,
        port: int,
        client_id: str,
        *,
        clean_session: bool = True,
        keepalive_s: int = 60,
        will: tuple[str, bytes] | None = None,
        protocol: MQTTProtocolVersion = mqtt.MQTTv311,
        session_expiry_s: int = 3600,
        condition: threading.Condition | None = None,
    ) -> None:
        """Over MQTT 5, clean_session=False means clean start off and a session that
        outlives the connection by `session_expiry_s`; True, clean start and expiry 0."""
        self.port, self.keepalive_s = port, keepalive_s
        self.protocol, self.clean_session = protocol, clean_session
        self.session_expiry_s = session_expiry_s
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=protocol,
            # MQTT 5 has clean_start instead; paho refuses clean_session for it.
            clean_session=None if protocol == mqtt.MQTTv5 else clean_session,
        )
        self.client.max_inflight_messages_set(100)
        if will is not None:
            self.client.will_set(will[0], will[1], qos=1)
        # Peers can share one condition so a test can wait on several of them at once.
        self.cond = condition or threading.Condition()
        self.messages: list[mqtt.MQTTMessage] = []
        self.connack: tuple[bool, int] | None = None  # (session present, reason code)
        self.connack_properties: Properties | None = None
        self._acked: set[int] = set()  # mids of SUBACK, UNSUBACK and completed publishes
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_ack
        self.client.on_unsubscribe = self._on_ack
        self.client.on_publish = self._on_publish

    def _on_connect(self, _c: Any, _u: Any, flags: Any, rc: Any, props: Any) -> None:
        with self.cond:
            self.connack = (bool(flags.session_present), int(rc.value))
            self.connack_properties = props
            self.cond.notify_all()

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        with self.cond:
            self.messages.append(message)
            self.cond.notify_all()

    def _on_ack(self, _c: Any, _u: Any, mid: int, _rc: Any, _p: Any) -> None:
        with self.cond:
            self._acked.add(mid)
            self.cond.notify_all()

    def _on_publish(self, _c: Any, _u: Any, mid: int, _rc: Any, _p: Any) -> None:
        self._on_ack(_c, _u, mid, _rc, _p)

    def wait(self, predicate: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
        with self.cond:
            if not self.cond.wait_for(predicate, timeout_s):
                raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")

    def connect(self) -> bool:
        """Connect and wait for CONNACK; return whether the broker resumed a session."""
        self.try_connect()
        assert self.connack is not None
        assert self.connack[1] == 0, f"connection refused: reason {self.connack[1]:#x}"
        return self.connack[0]

    def try_connect(self) -> None:
        if self.protocol == mqtt.MQTTv5:
            props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            if not self.clean_session:
                props.SessionExpiryInterval = self.session_expiry_s
            self.client.connect(
                "127.0.0.1",
                self.port,
                keepalive=self.keepalive_s,
                clean_start=self.clean_session,
                properties=props,
            )
        else:
            self.client.connect("127.0.0.1", self.port, keepalive=self.keepalive_s)
        self.client.loop_start()
        self.wait(lambda: self.connack is not None, "CONNACK")

    def subscribe(
        self, topic_filter: str, qos: int = 1, options: SubscribeOptions | None = None
    ) -> None:
        """Subscribe and wait for SUBACK; `options` (MQTT 5) replaces `qos`."""
        if options is None:
            _, mid = self.client.subscribe(topic_filter, qos)
        else:
            _, mid = self.client.subscribe(topic_filter, options=options)
        self.wait(lambda: mid in self._acked, f"SUBACK for {topic_filter}")

    def unsubscribe(self, topic_filter: str) -> None:
        _, mid = self.client.unsubscribe(topic_filter)
        assert mid is not None
        self.wait(lambda: mid in self._acked, f"UNSUBACK for {topic_filter}")

    def publish(
        self,
        topic: str,
        payload: bytes,
        qos: int = 1,
        retain: bool = False,
        properties: Properties | None = None,
    ) -> None:
        self.publish_all([(topic, payload)], qos, retain, properties)

    def publish_all(
        self,
        items: Iterable[tuple[str, bytes]],
        qos: int = 1,
        retain: bool = False,
        properties: Properties | None = None,
    ) -> None:
        """Publish everything, then wait until the broker acknowledged all of it."""
        client = self.client
        mids = [
            client.publish(t, p, qos=qos, retain=retain, properties=properties).mid
            for t, p in items
        ]
        self.wait(lambda: self._acked.issuperset(mids), f"acks for {len(mids)} publishes", 90)

    def payloads(self, topic: str | None = None) -> list[bytes]:
        with self.cond:
            return [bytes(m.payload) for m in self.messages if topic is None or m.topic == topic]

    def topics(self) -> list[str]:
        with self.cond:
            return [m.topic for m in self.messages]

    def wait_for_topic(self, topic: str, timeout_s: float = WAIT_S) -> mqtt.MQTTMessage:
        self.wait(lambda: any(m.topic == topic for m in self.messages), topic, timeout_s)
        return next(m for m in self.messages if m.topic == topic)

    def close(self) -> None:
        """A clean DISCONNECT: the broker keeps a persistent session, drops the will."""
        self.client.disconnect()
        self.client.loop_stop()

    def go_silent(self) -> None:
        """Stop the network loop but keep the socket open: no more PINGREQs."""
        self.client.loop_stop()

    def drop(self) -> None:
        """Vanish without DISCONNECT, as a device losing power does."""
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()

"""The MQTT side of ingest: a persistent QoS 1 session whose messages are acknowledged only
when the caller says they are stored.

MQTT 5 is preferred because the client then sets the broker's in-flight window itself
(Receive Maximum). Over MQTT 3.1.1 that window is the broker's ``max_inflight_messages``,
20 by default in Mosquitto: with acknowledgements held until a batch commits, the broker
stops after 20 messages. The link falls back to 3.1.1 for brokers that refuse MQTT 5; the
service then flushes as soon as the stream pauses.

Acknowledgements carry the connection generation: after a reconnect a packet id may name a
different message, so acknowledging an old id could confirm a message not yet stored.
"""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections import deque
from typing import Any, cast
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.client import PUBACK
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from ingest.batch import Received

log = logging.getLogger(__name__)

_UNSUPPORTED_PROTOCOL = 132  # MQTT 5 CONNACK "Unsupported Protocol Version"
# PUBACK: fixed header, remaining length 2, packet id (MQTT 3.1.1 §3.4; in MQTT 5 a PUBACK
# without reason code means success, §3.4.2.1).
_PUBACK = struct.Struct("!BBH")


class Link:
    """One paho client. `take` hands over received messages; `ack` confirms them."""

    def __init__(
        self,
        url: str,
        client_id: str,
        topics: list[str],
        receive_maximum: int,
        session_expiry_s: int,
        protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv5,
        replay_retained: list[str] | None = None,
    ) -> None:
        parts = urlsplit(url)
        self._host, self._port = parts.hostname or "127.0.0.1", parts.port or 1883
        self.protocol = protocol
        self.client_id = client_id
        self._topics = list(topics)
        self._replay = set(replay_retained or ())  # retained messages resent on every connect
        self._connected = False
        self._acked: set[str] = set()  # topics the broker confirmed a subscription to
        self._awaiting: dict[int, list[str]] = {}  # SUBSCRIBE packet id -> its topics
        self._receive_maximum = receive_maximum
        self._session_expiry_s = session_expiry_s
        self._lock = threading.Lock()
        # deque appends and pops are atomic: paho's thread appends without taking a lock.
        self._buffer: deque[Received] = deque()
        self._generation = 0
        self.subscribed = threading.Event()  # messages published before this may be missed
        self.refused_v5 = threading.Event()
        self.wake = threading.Event()
        self.batch_size = receive_maximum
        self.max_buffer = 4 * receive_maximum
        self.dropped_qos0 = 0
        kwargs: dict[str, Any] = (
            {} if protocol == MQTTProtocolVersion.MQTTv5 else {"clean_session": False}
        )
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=protocol,
            manual_ack=True,
            **kwargs,
        )
        if parts.username:
            self.client.username_pw_set(parts.username, parts.password)
        self.client.reconnect_delay_set(1, 10)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    def start(self) -> None:
        if self.protocol == MQTTProtocolVersion.MQTTv5:
            props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            props.SessionExpiryInterval = self._session_expiry_s
            props.ReceiveMaximum = self._receive_maximum
            self.client.connect_async(
                self._host, self._port, keepalive=30, clean_start=False, properties=props
            )
        else:
            self.client.connect_async(self._host, self._port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def subscribe(self, topics: list[str]) -> None:
        """Add subscriptions (topics discovery named); kept for reconnects."""
        with self._lock:
            self._topics += topics
            connected = self._connected
        if connected:
            options = SubscribeOptions(qos=1)
            self._subscribe([(t, options) for t in topics])

    def is_subscribed(self, topic: str) -> bool:
        """Whether the broker has confirmed a subscription to `topic` on this connection."""
        with self._lock:
            return topic in self._acked

    def _subscribe(self, subscriptions: list[tuple[str, Any]]) -> None:
        with self._lock:
            _, mid = self.client.subscribe(subscriptions)
            if mid is not None:
                self._awaiting[mid] = [t for t, _ in subscriptions]

    def _on_subscribe(self, client: mqtt.Client, userdata: object, mid: int, *args: object) -> None:
        with self._lock:
            self._acked.update(self._awaiting.pop(mid, []))
        self.subscribed.set()

    def take(self, limit: int) -> list[Received]:
        buffer = self._buffer
        return [buffer.popleft() for _ in range(min(limit, len(buffer)))]

    def pending(self) -> tuple[int, float, float]:
        """How many messages wait, and the receipt times of the oldest and newest."""
        buffer = self._buffer
        try:
            return len(buffer), buffer[0][6], buffer[-1][6]
        except IndexError:
            return 0, 0.0, 0.0

    def ack(self, items: list[Received]) -> int:
        """Acknowledge stored messages of the current connection; return how many.

        The PUBACKs of a batch go out as one write: paho's `ack` queues each as its own
        packet, which costs two system calls per message on the Python client's one core.
        """
        with self._lock:
            generation = self._generation
            mids = [i[2] for i in items if i[3] == 1 and i[7] == generation]
            if mids:
                pubacks = b"".join([_PUBACK.pack(PUBACK, 2, mid) for mid in mids])
                self.client._packet_queue(PUBACK, pubacks, 0, 0)
        return len(mids)

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        if reason.is_failure:
            if reason.value == _UNSUPPORTED_PROTOCOL:
                self.refused_v5.set()
            log.warning("broker refused the connection: %s", reason)
            return
        with self._lock:
            self._generation += 1
            self._connected = True
            topics = list(self._topics)
        log.info("MQTT connected (session present: %s)", flags.session_present)
        if self.protocol == MQTTProtocolVersion.MQTTv5:
            # Retained messages are replayed only for subscriptions the session lacks.
            options = SubscribeOptions(
                qos=1, retainHandling=SubscribeOptions.RETAIN_SEND_IF_NEW_SUB
            )
            replay = SubscribeOptions(qos=1)
            self._subscribe([(t, replay if t in self._replay else options) for t in topics])
        elif not flags.session_present:
            # 3.1.1 has no such option: the kept session already holds the subscriptions.
            self._subscribe([(t, 1) for t in topics])
        elif self._replay:
            with self._lock:
                self._acked.update(topics)  # the kept session holds them
            self._subscribe([(t, 1) for t in sorted(self._replay)])
        else:
            with self._lock:
                self._acked.update(topics)
            self.subscribed.set()

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        properties: Properties | None,
    ) -> None:
        with self._lock:
            self._generation += 1  # acks of messages received so far must not be sent now
            self._connected = False
            self._acked.clear()
        self.subscribed.clear()
        if reason.is_failure and not flags.is_disconnect_packet_from_server:
            # What Mosquitto does when another connection takes this client id, and paho
            # calls it "Unspecified error".
            log.warning(
                "MQTT connection closed by the broker (%s): the network, a broker restart, or"
                " another client connecting with client id %r; reconnecting",
                reason,
                self.client_id,
            )
        elif reason.is_failure:
            log.warning("MQTT connection lost (%s); reconnecting", reason)
        else:
            log.info("MQTT disconnected")

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        buffer = self._buffer
        if len(buffer) >= self.max_buffer and msg.qos == 0:
            # QoS 0 (Zigbee2MQTT's default) has no flow control: while the database is away
            # they would pile up here without bound. QoS 1 is bounded by Receive Maximum.
            self.dropped_qos0 += 1
            return
        buffer.append(
            (
                msg.topic,
                cast(bytes, msg.payload),
                msg.mid,
                msg.qos,
                msg.retain,
                msg.dup,
                time.time(),
                self._generation,
            )
        )
        if len(buffer) >= self.batch_size:
            self.wake.set()

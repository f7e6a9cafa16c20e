"""One client's broker-side session: what it is owed, what it has not yet acknowledged.

A session outlives its network connection when the client connected with
clean_session=false (MQTT 3.1.1) or a non-zero Session Expiry Interval (MQTT 5):
subscriptions stay, QoS 1 messages queue while it is away, and unacknowledged ones are sent
again (DUP set) when it returns. Messages are encoded only when sent, for the protocol
version of the connection then attached, so a session may change version between connections.
"""

from __future__ import annotations

import asyncio
import logging
import math
import struct
from collections import deque
from dataclasses import dataclass

from broker.codec import MESSAGE_EXPIRY, encode_string, varint
from broker.packets import encode_publish

log = logging.getLogger(__name__)

# Mosquitto's default max_queued_messages is 1000 and it silently drops beyond that, which
# loses a home's events after a short ingest outage. 100,000 small sensor messages is a few
# tens of MB per session and covers hours of a busy home; beyond it we drop and log.
DEFAULT_MAX_QUEUED = 100_000
# The in-flight window bounds how many QoS 1 messages may be sent before PUBACKs return,
# and so how many duplicates a reconnecting client can see. Mosquitto defaults to 20; a
# wider window keeps throughput up when the subscriber is on the far side of a busy loop.
DEFAULT_MAX_INFLIGHT = 100


@dataclass(frozen=True, slots=True)
class Message:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    topic_wire: bytes  # length-prefixed UTF-8, encoded once however many receive it
    properties: bytes = b""  # MQTT 5 properties forwarded as the publisher sent them
    expires_at: float | None = None  # Message Expiry, on the broker's monotonic clock
    origin: str = ""  # publishing client id, for No Local subscriptions

    @classmethod
    def create(
        cls,
        topic: str,
        payload: bytes,
        qos: int,
        retain: bool,
        properties: bytes = b"",
        expires_at: float | None = None,
        origin: str = "",
    ) -> Message:
        wire = encode_string(topic)
        return cls(topic, payload, qos, retain, wire, properties, expires_at, origin)


@dataclass(frozen=True, slots=True)
class Delivery:
    message: Message
    qos: int
    retain: bool


class Session:
    def __init__(
        self,
        client_id: str,
        clean: bool,
        max_queued: int = DEFAULT_MAX_QUEUED,
        max_inflight: int = DEFAULT_MAX_INFLIGHT,
    ) -> None:
        self.client_id = client_id
        self.max_queued = max_queued
        self.max_inflight = max_inflight
        self.connected = False
        # Set by the broker for each connection: how to encode, and what the client accepts.
        self.v5 = False
        self.max_packet_bytes: int | None = None  # a larger message is dropped (§3.1.2.11.4)
        self.expiry_s: float = 0 if clean else math.inf
        # Full filter as subscribed (including any $share/ prefix) -> granted QoS.
        self.subscriptions: dict[str, int] = {}
        self.queue: deque[Delivery] = deque()
        self.inflight: dict[int, Delivery] = {}  # insertion order = send order
        # Inbound QoS 2 packet ids between PUBREC and PUBREL: a resent PUBLISH with one of
        # these ids is a duplicate and must not be routed again.
        self.awaiting_release: set[int] = set()
        self.dropped = 0
        self.wake = asyncio.Event()  # set when there may be something to send
        self._next_id = 1

    def offer(self, message: Message, qos: int, retain: bool) -> bool:
        """Queue a message for this client; False if it was dropped."""
        if qos == 0 and not self.connected:
            return False  # as Mosquitto: QoS 0 is not stored for absent clients
        if len(self.queue) >= self.max_queued:
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 10_000 == 0:
                log.warning(
                    "session %r queue full (%d); %d message(s) dropped so far",
                    self.client_id,
                    self.max_queued,
                    self.dropped,
                )
            return False
        self.queue.append(Delivery(message, qos, retain))
        self.wake.set()
        return True

    def acknowledge(self, packet_id: int) -> None:
        if self.inflight.pop(packet_id, None) is not None:
            self.wake.set()

    def take_sendable(self, limit: int, now: float) -> list[bytes]:
        """Encode queued messages while the in-flight window has room, oldest first.

        Messages whose expiry has passed, or too large for the client, are dropped here.
        """
        out: list[bytes] = []
        while self.queue and len(out) < limit:
            head = self.queue[0]
            if head.qos and len(self.inflight) >= self.max_inflight:
                break
            self.queue.popleft()
            packet_id = self._allocate_id() if head.qos else None
            wire = self._encode(head, False, packet_id, now)
            if wire is None:
                continue  # the id was never taken, so it stays free
            if packet_id is not None:
                self.inflight[packet_id] = head
            out.append(wire)
        return out

    def resend_inflight(self, now: float) -> list[bytes]:
        """Unacknowledged messages, DUP set, to send first on a resumed session (§4.4)."""
        out = []
        for pid, delivery in list(self.inflight.items()):
            wire = self._encode(delivery, True, pid, now)
            if wire is None:
                del self.inflight[pid]
            else:
                out.append(wire)
        return out

    def _allocate_id(self) -> int:
        # Terminates because max_inflight is far below the 65,535 available ids.
        while True:
            packet_id = self._next_id
            self._next_id = packet_id % 65_535 + 1
            if packet_id not in self.inflight:
                return packet_id

    def _encode(
        self, delivery: Delivery, dup: bool, packet_id: int | None, now: float
    ) -> bytes | None:
        """The PUBLISH for this client, or None if the message must not reach it."""
        message = delivery.message
        properties = None
        if message.expires_at is not None:
            remaining = math.ceil(message.expires_at - now)
            if remaining <= 0:
                return None
        if self.v5:
            raw = message.properties
            if message.expires_at is not None:  # the subscriber sees the time left (§3.3.2.3.3)
                raw = bytes((MESSAGE_EXPIRY,)) + struct.pack("!I", remaining) + raw
            properties = varint(len(raw)) + raw
        wire = encode_publish(
            message.topic_wire,
            message.payload,
            delivery.qos,
            delivery.retain,
            dup,
            packet_id,
            properties,
        )
        if self.max_packet_bytes is not None and len(wire) > self.max_packet_bytes:
            return None
        return wire

"""One client's broker-side session: what it is owed, what it has not yet acknowledged.

A session outlives its network connection when the client connected with
clean_session=false: subscriptions stay, QoS 1 messages queue while it is away, and
unacknowledged ones are sent again (DUP set) when it returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass

from veille.mqtt_packets import encode_publish, encode_string

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

    @classmethod
    def create(cls, topic: str, payload: bytes, qos: int, retain: bool) -> Message:
        return cls(topic, payload, qos, retain, encode_string(topic))


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
        self.clean = clean
        self.max_queued = max_queued
        self.max_inflight = max_inflight
        self.connected = False
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

    def take_sendable(self, limit: int) -> list[bytes]:
        """Encode queued messages while the in-flight window has room, oldest first."""
        out: list[bytes] = []
        while self.queue and len(out) < limit:
            head = self.queue[0]
            packet_id = None
            if head.qos:
                if len(self.inflight) >= self.max_inflight:
                    break
                packet_id = self._allocate_id()
                self.inflight[packet_id] = head
            self.queue.popleft()
            out.append(_encode(head, False, packet_id))
        return out

    def resend_inflight(self) -> list[bytes]:
        """Unacknowledged messages, DUP set, to send first on a resumed session (§4.4)."""
        return [_encode(d, True, pid) for pid, d in self.inflight.items()]

    def _allocate_id(self) -> int:
        # Terminates because max_inflight is far below the 65,535 available ids.
        while True:
            packet_id = self._next_id
            self._next_id = packet_id % 65_535 + 1
            if packet_id not in self.inflight:
                return packet_id


def _encode(delivery: Delivery, dup: bool, packet_id: int | None) -> bytes:
    message = delivery.message
    return encode_publish(
        message.topic_wire, message.payload, delivery.qos, delivery.retain, dup, packet_id
    )

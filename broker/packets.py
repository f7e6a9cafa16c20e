"""MQTT 3.1.1 and 5 control packets for the embedded broker: read, parse and encode.

Only what a broker needs: it parses what clients send (CONNECT, PUBLISH, PUBACK, PUBREL,
SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT) and encodes what it sends. Parsers take
`v5` because MQTT 5 inserts properties (and subscription options) into the same layouts.
Pure functions over bytes, plus one coroutine that reads a packet from a stream.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass

from broker.codec import (
    MALFORMED_PACKET,
    NO_PROPERTIES,
    PACKET_TOO_LARGE,
    Cursor,
    Properties,
    ProtocolError,
    encode_properties,
    varint,
)

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 10, 11, 12, 13, 14

# CONNACK return codes (MQTT 3.1.1 §3.2.2.3).
ACCEPTED = 0
REFUSED_PROTOCOL_VERSION = 1
REFUSED_IDENTIFIER = 2
# MQTT 5 reason codes (§2.4) the broker sends.
NO_MATCHING_SUBSCRIBERS = 0x10
NO_SUBSCRIPTION_EXISTED = 0x11
DISCONNECT_WITH_WILL = 0x04
UNSUPPORTED_PROTOCOL_VERSION = 0x84
BAD_AUTHENTICATION_METHOD = 0x8C
TOPIC_FILTER_INVALID = 0x8F

SUBACK_FAILURE = 0x80  # the only failure code MQTT 3.1.1 has
PINGRESP_PACKET = b"\xd0\x00"


@dataclass(frozen=True, slots=True)
class Packet:
    kind: int
    flags: int
    body: bytes


@dataclass(frozen=True, slots=True)
class Will:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    properties: Properties = NO_PROPERTIES


@dataclass(frozen=True, slots=True)
class Connect:
    protocol_name: str
    protocol_level: int
    client_id: str
    clean_start: bool  # MQTT 3.1.1's clean session flag sits in the same bit
    keepalive_s: int
    will: Will | None
    properties: Properties = NO_PROPERTIES


@dataclass(frozen=True, slots=True)
class Publish:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    dup: bool
    packet_id: int | None
    properties: Properties = NO_PROPERTIES


@dataclass(frozen=True, slots=True)
class SubscribeRequest:
    topic_filter: str
    qos: int
    no_local: bool = False
    retain_as_published: bool = False
    retain_handling: int = 0  # 0: send retained, 1: only for a new subscription, 2: never


async def read_packet(reader: asyncio.StreamReader, max_size: int) -> Packet:
    """Read one control packet; raises asyncio.IncompleteReadError at end of stream."""
    first = (await reader.readexactly(1))[0]
    length, multiplier = 0, 1
    for _ in range(4):
        byte = (await reader.readexactly(1))[0]
        length += (byte & 0x7F) * multiplier
        if not byte & 0x80:
            break
        multiplier *= 128
    else:
        raise ProtocolError("malformed remaining length", MALFORMED_PACKET)
    if length > max_size:
        raise ProtocolError(f"packet of {length} bytes exceeds {max_size}", PACKET_TOO_LARGE)
    body = await reader.readexactly(length) if length else b""
    return Packet(first >> 4, first & 0x0F, body)


def parse_connect(body: bytes) -> Connect:
    cur = Cursor(body)
    name, level, flags, keepalive_s = cur.text(), cur.u8(), cur.u8(), cur.u16()
    if level not in (3, 4, 5):
        return Connect(name, level, "", True, keepalive_s, None)  # refused by the caller
    if flags & 0x01:
        raise ProtocolError("reserved CONNECT flag set", MALFORMED_PACKET)
    v5 = level == 5
    properties = cur.properties() if v5 else NO_PROPERTIES
    client_id = cur.text()
    will = None
    if flags & 0x04:
        will_properties = cur.properties() if v5 else NO_PROPERTIES
        topic, payload = cur.text(), cur.binary()
        qos = (flags >> 3) & 0x03
        if qos == 3:
            raise ProtocolError("will QoS 3", MALFORMED_PACKET)
        will = Will(topic, payload, qos, bool(flags & 0x20), will_properties)
    # Username and password (flags 0x80, 0x40) are read past and ignored: the embedded
    # broker listens on loopback only and allows anonymous clients, like our Mosquitto.
    if flags & 0x80:
        cur.text()
    if flags & 0x40:
        cur.binary()
    return Connect(name, level, client_id, bool(flags & 0x02), keepalive_s, will, properties)


def parse_publish(packet: Packet, v5: bool) -> Publish:
    qos = (packet.flags >> 1) & 0x03
    if qos == 3:
        raise ProtocolError("PUBLISH with QoS 3", MALFORMED_PACKET)
    cur = Cursor(packet.body)
    topic = cur.text()
    packet_id = cur.u16() if qos else None
    properties = cur.properties() if v5 else NO_PROPERTIES
    retain, dup = bool(packet.flags & 0x01), bool(packet.flags & 0x08)
    return Publish(topic, cur.rest(), qos, retain, dup, packet_id, properties)


def parse_packet_id(body: bytes) -> int:
    # MQTT 5 acknowledgements may add a reason code and properties; only the id matters.
    return Cursor(body).u16()


def parse_subscribe(body: bytes, v5: bool) -> tuple[int, list[SubscribeRequest]]:
    cur = Cursor(body)
    packet_id = cur.u16()
    if v5:
        cur.properties()  # a Subscription Identifier is ignored: CONNACK says unsupported
    requests: list[SubscribeRequest] = []
    while not cur.exhausted:
        topic_filter, options = cur.text(), cur.u8()
        # Reserved bits: 2-7 in MQTT 3.1.1, 6-7 in MQTT 5 (§3.8.3.1); QoS 3 and Retain
        # Handling 3 are malformed too.
        if options & (0xC0 if v5 else 0xFC) or options & 0x03 == 3 or options & 0x30 == 0x30:
            raise ProtocolError(f"bad subscription options {options:#x}", MALFORMED_PACKET)
        requests.append(
            SubscribeRequest(
                topic_filter, options & 0x03, bool(options & 0x04), bool(options & 0x08),
                (options >> 4) & 0x03,
            )
        )  # fmt: skip
    if not requests:
        raise ProtocolError("SUBSCRIBE without topic filters")
    return packet_id, requests


def parse_unsubscribe(body: bytes, v5: bool) -> tuple[int, list[str]]:
    cur = Cursor(body)
    packet_id = cur.u16()
    if v5:
        cur.properties()
    filters: list[str] = []
    while not cur.exhausted:
        filters.append(cur.text())
    if not filters:
        raise ProtocolError("UNSUBSCRIBE without topic filters")
    return packet_id, filters


def parse_disconnect(body: bytes) -> tuple[int, Properties]:
    """An MQTT 5 DISCONNECT's reason code and properties (both optional, §3.14.2)."""
    cur = Cursor(body)
    reason = cur.u8() if body else 0
    return reason, cur.properties() if len(body) > 1 else NO_PROPERTIES


def _packet(first: int, body: bytes) -> bytes:
    return bytes((first,)) + varint(len(body)) + body


def encode_connack(session_present: bool, code: int) -> bytes:
    return _packet(CONNACK << 4, bytes((int(session_present), code)))


def encode_connack_v5(
    session_present: bool, reason: int, properties: dict[int, int | str]
) -> bytes:
    body = bytes((int(session_present), reason)) + encode_properties(properties)
    return _packet(CONNACK << 4, body)


def encode_publish(
    topic: bytes,
    payload: bytes,
    qos: int,
    retain: bool,
    dup: bool,
    packet_id: int | None,
    properties: bytes | None = None,
) -> bytes:
    """`topic` is already length-prefixed so fan-out encodes it once; `properties` is None
    for MQTT 3.1.1, else MQTT 5's property length and properties."""
    first = (PUBLISH << 4) | (int(dup) << 3) | (qos << 1) | int(retain)
    head = topic + struct.pack("!H", packet_id) if packet_id else topic
    if properties is not None:
        head += properties
    return _packet(first, head + payload)


def encode_ack(kind: int, packet_id: int, reason: int = 0) -> bytes:
    """PUBACK, PUBREC, PUBCOMP, UNSUBACK (3.1.1). A non-zero reason is MQTT 5 only; without
    one the short form means success in both versions (MQTT 5 §3.4.2.1)."""
    body = struct.pack("!HB", packet_id, reason) if reason else struct.pack("!H", packet_id)
    return _packet(kind << 4, body)


def encode_suback(packet_id: int, codes: list[int], v5: bool) -> bytes:
    if not v5:  # MQTT 3.1.1 knows a single failure code
        codes = [c if c < SUBACK_FAILURE else SUBACK_FAILURE for c in codes]
    properties = b"\x00" if v5 else b""
    return _packet(SUBACK << 4, struct.pack("!H", packet_id) + properties + bytes(codes))


def encode_unsuback_v5(packet_id: int, codes: list[int]) -> bytes:
    return _packet(UNSUBACK << 4, struct.pack("!H", packet_id) + b"\x00" + bytes(codes))


def encode_disconnect(reason: int) -> bytes:
    return _packet(DISCONNECT << 4, bytes((reason,)))

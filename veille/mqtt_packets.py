"""MQTT 3.1.1 wire format for the embedded broker: read, parse and encode control packets.

Only what a broker needs: it parses what clients send (CONNECT, PUBLISH, PUBACK, PUBREC's
counterpart PUBREL, SUBSCRIBE, UNSUBSCRIBE, PINGREQ, DISCONNECT) and encodes what it sends.
Pure functions over bytes, plus one coroutine that reads a packet from a stream.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 10, 11, 12, 13, 14

# CONNACK return codes (MQTT 3.1.1 §3.2.2.3).
ACCEPTED = 0
REFUSED_PROTOCOL_VERSION = 1
REFUSED_IDENTIFIER = 2
# MQTT 5 CONNACK reason code "Unsupported Protocol Version" (MQTT 5 §3.2.2.2).
V5_UNSUPPORTED_PROTOCOL_VERSION = 0x84

SUBACK_FAILURE = 0x80
PINGRESP_PACKET = b"\xd0\x00"


class ProtocolError(Exception):
    """The peer sent bytes that are not valid MQTT; the connection must be closed."""


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


@dataclass(frozen=True, slots=True)
class Connect:
    protocol_name: str
    protocol_level: int
    client_id: str
    clean_session: bool
    keepalive_s: int
    will: Will | None


@dataclass(frozen=True, slots=True)
class Publish:
    topic: str
    payload: bytes
    qos: int
    retain: bool
    dup: bool
    packet_id: int | None


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
        raise ProtocolError("malformed remaining length")
    if length > max_size:
        raise ProtocolError(f"packet of {length} bytes exceeds the {max_size} byte limit")
    body = await reader.readexactly(length) if length else b""
    return Packet(first >> 4, first & 0x0F, body)


class _Cursor:
    """Sequential reader over a packet body that turns truncation into ProtocolError."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ProtocolError("packet body truncated")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        value: int = struct.unpack("!H", self.take(2))[0]
        return value

    def binary(self) -> bytes:
        return self.take(self.u16())

    def text(self) -> str:
        try:
            return self.binary().decode("utf-8")
        except UnicodeDecodeError as err:
            raise ProtocolError("string is not valid UTF-8") from err

    def rest(self) -> bytes:
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk

    @property
    def exhausted(self) -> bool:
        return self.pos >= len(self.data)


def parse_connect(body: bytes) -> Connect:
    cur = _Cursor(body)
    name, level, flags, keepalive_s = cur.text(), cur.u8(), cur.u8(), cur.u16()
    if level == 5:
        # Stop before the MQTT 5 properties: the caller refuses this version anyway.
        return Connect(name, level, "", True, keepalive_s, None)
    if flags & 0x01:
        raise ProtocolError("reserved CONNECT flag set")
    client_id = cur.text()
    will = None
    if flags & 0x04:
        topic, payload = cur.text(), cur.binary()
        will = Will(topic, payload, min((flags >> 3) & 0x03, 2), bool(flags & 0x20))
    # Username and password (flags 0x80, 0x40) are read past and ignored: the embedded
    # broker listens on loopback only and allows anonymous clients, like our Mosquitto.
    if flags & 0x80:
        cur.text()
    if flags & 0x40:
        cur.binary()
    return Connect(name, level, client_id, bool(flags & 0x02), keepalive_s, will)


def parse_publish(packet: Packet) -> Publish:
    qos = (packet.flags >> 1) & 0x03
    if qos == 3:
        raise ProtocolError("PUBLISH with QoS 3")
    cur = _Cursor(packet.body)
    topic = cur.text()
    packet_id = cur.u16() if qos else None
    return Publish(
        topic, cur.rest(), qos, bool(packet.flags & 0x01), bool(packet.flags & 0x08), packet_id
    )


def parse_packet_id(body: bytes) -> int:
    return _Cursor(body).u16()


def parse_subscribe(body: bytes) -> tuple[int, list[tuple[str, int]]]:
    cur = _Cursor(body)
    packet_id = cur.u16()
    requests: list[tuple[str, int]] = []
    while not cur.exhausted:
        topic_filter, options = cur.text(), cur.u8()
        requests.append((topic_filter, options & 0x03))
    if not requests:
        raise ProtocolError("SUBSCRIBE without topic filters")
    return packet_id, requests


def parse_unsubscribe(body: bytes) -> tuple[int, list[str]]:
    cur = _Cursor(body)
    packet_id = cur.u16()
    filters: list[str] = []
    while not cur.exhausted:
        filters.append(cur.text())
    return packet_id, filters


def _remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def _packet(first: int, body: bytes) -> bytes:
    return bytes((first,)) + _remaining_length(len(body)) + body


def encode_string(value: str) -> bytes:
    raw = value.encode("utf-8")
    return struct.pack("!H", len(raw)) + raw


def encode_connack(session_present: bool, code: int) -> bytes:
    return _packet(CONNACK << 4, bytes((int(session_present), code)))


def encode_connack_v5_refusal(code: int) -> bytes:
    # MQTT 5 clients expect a property length after the reason code.
    return _packet(CONNACK << 4, bytes((0, code, 0)))


def encode_publish(
    topic: bytes, payload: bytes, qos: int, retain: bool, dup: bool, packet_id: int | None
) -> bytes:
    """`topic` is already length-prefixed (encode_string) so fan-out encodes it once."""
    first = (PUBLISH << 4) | (int(dup) << 3) | (qos << 1) | int(retain)
    body = topic + struct.pack("!H", packet_id) + payload if packet_id else topic + payload
    return _packet(first, body)


def encode_ack(kind: int, packet_id: int) -> bytes:
    # PUBREL carries fixed flags 0b0010; the other acknowledgements carry none.
    flags = 0x02 if kind == PUBREL else 0
    return _packet((kind << 4) | flags, struct.pack("!H", packet_id))


def encode_suback(packet_id: int, codes: list[int]) -> bytes:
    return _packet(SUBACK << 4, struct.pack("!H", packet_id) + bytes(codes))

"""MQTT wire primitives: a bounds-checked body cursor, variable byte integers and MQTT 5
properties (§2.2.2). Pure functions over bytes, shared by both protocol versions."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

# Reason codes the broker puts in a DISCONNECT when it gives up on a client (MQTT 5 §3.14.2.1).
MALFORMED_PACKET = 0x81
PROTOCOL_ERROR = 0x82
PACKET_TOO_LARGE = 0x95
TOPIC_ALIAS_INVALID = 0x94

# Property identifiers the broker reads or writes (MQTT 5 §2.2.2.2).
PAYLOAD_FORMAT = 0x01
MESSAGE_EXPIRY = 0x02
CONTENT_TYPE = 0x03
RESPONSE_TOPIC = 0x08
CORRELATION_DATA = 0x09
SESSION_EXPIRY = 0x11
ASSIGNED_CLIENT_ID = 0x12
AUTHENTICATION_METHOD = 0x15
RECEIVE_MAXIMUM = 0x21
TOPIC_ALIAS_MAXIMUM = 0x22
TOPIC_ALIAS = 0x23
MAXIMUM_QOS = 0x24
USER_PROPERTY = 0x26
MAXIMUM_PACKET_SIZE = 0x27
SUBSCRIPTION_IDS_AVAILABLE = 0x29
SHARED_SUBSCRIPTION_AVAILABLE = 0x2A

_BYTE, _U16, _U32, _VARINT, _TEXT, _BINARY, _PAIR = range(7)
_KINDS = {
    0x01: _BYTE, 0x02: _U32, 0x03: _TEXT, 0x08: _TEXT, 0x09: _BINARY, 0x0B: _VARINT,
    0x11: _U32, 0x12: _TEXT, 0x13: _U16, 0x15: _TEXT, 0x16: _BINARY, 0x17: _BYTE,
    0x18: _U32, 0x19: _BYTE, 0x1A: _TEXT, 0x1C: _TEXT, 0x1F: _TEXT, 0x21: _U16,
    0x22: _U16, 0x23: _U16, 0x24: _BYTE, 0x25: _BYTE, 0x26: _PAIR, 0x27: _U32,
    0x28: _BYTE, 0x29: _BYTE, 0x2A: _BYTE,
}  # fmt: skip
# Application properties a subscriber receives as the publisher sent them (§3.3.2.3).
# Message Expiry is forwarded too, but recomputed at delivery; Topic Alias never is.
_FORWARDED = {PAYLOAD_FORMAT, CONTENT_TYPE, RESPONSE_TOPIC, CORRELATION_DATA, USER_PROPERTY}


class ProtocolError(Exception):
    """The peer sent bytes that are not valid MQTT; the connection must be closed.

    `reason` is the MQTT 5 DISCONNECT reason code the broker sends before closing.
    """

    def __init__(self, message: str, reason: int = PROTOCOL_ERROR) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Properties:
    values: dict[int, int | str | bytes] = field(default_factory=dict)
    forward: bytes = b""  # raw bytes of the properties in _FORWARDED, in arrival order

    def number(self, identifier: int, default: int) -> int:
        value = self.values.get(identifier, default)
        return value if isinstance(value, int) else default


NO_PROPERTIES = Properties()


class Cursor:
    """Sequential reader over a packet body that turns truncation into ProtocolError."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ProtocolError("packet body truncated", MALFORMED_PACKET)
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        value: int = struct.unpack("!H", self.take(2))[0]
        return value

    def u32(self) -> int:
        value: int = struct.unpack("!I", self.take(4))[0]
        return value

    def varint(self) -> int:
        value, multiplier = 0, 1
        for _ in range(4):
            byte = self.u8()
            value += (byte & 0x7F) * multiplier
            if not byte & 0x80:
                return value
            multiplier *= 128
        raise ProtocolError("malformed variable byte integer", MALFORMED_PACKET)

    def binary(self) -> bytes:
        return self.take(self.u16())

    def text(self) -> str:
        try:
            return self.binary().decode("utf-8")
        except UnicodeDecodeError as err:
            raise ProtocolError("string is not valid UTF-8", MALFORMED_PACKET) from err

    def rest(self) -> bytes:
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk

    @property
    def exhausted(self) -> bool:
        return self.pos >= len(self.data)

    def properties(self) -> Properties:
        """Read a property length and the properties it covers."""
        length = self.varint()
        end = self.pos + length
        if end > len(self.data):
            raise ProtocolError("property length beyond the packet", MALFORMED_PACKET)
        values: dict[int, int | str | bytes] = {}
        forward = bytearray()
        while self.pos < end:
            start = self.pos
            identifier = self.varint()
            kind = _KINDS.get(identifier)
            if kind is None:
                raise ProtocolError(f"unknown property {identifier:#x}", MALFORMED_PACKET)
            value = self._value(kind)
            if identifier in _FORWARDED:
                forward += self.data[start : self.pos]
            if kind != _PAIR:  # only User Property may repeat (§2.2.2.2)
                if identifier in values:
                    raise ProtocolError(f"property {identifier:#x} repeated")
                values[identifier] = value
        if self.pos != end:
            raise ProtocolError("property overruns its length", MALFORMED_PACKET)
        return Properties(values, bytes(forward))

    def _value(self, kind: int) -> int | str | bytes:
        if kind == _BYTE:
            return self.u8()
        if kind == _U16:
            return self.u16()
        if kind == _U32:
            return self.u32()
        if kind == _VARINT:
            return self.varint()
        if kind == _TEXT:
            return self.text()
        if kind == _BINARY:
            return self.binary()
        self.text()  # a User Property's name and value: only ever forwarded, never read
        return self.text()


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | 0x80 if n else byte)
        if not n:
            return bytes(out)


def encode_string(value: str) -> bytes:
    raw = value.encode("utf-8")
    return struct.pack("!H", len(raw)) + raw


def encode_properties(values: dict[int, int | str]) -> bytes:
    """Property length and properties, for what the broker itself sends (no pairs)."""
    out = bytearray()
    for identifier, value in values.items():
        out += varint(identifier)
        kind = _KINDS[identifier]
        if isinstance(value, str):
            out += encode_string(value)
        elif kind == _BYTE:
            out.append(value)
        elif kind == _U16:
            out += struct.pack("!H", value)
        else:
            out += struct.pack("!I", value)
    return varint(len(out)) + bytes(out)

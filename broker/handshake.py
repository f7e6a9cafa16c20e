"""CONNECT negotiation: which protocol and session terms a client gets, and the CONNACK.

MQTT 3.1 ("MQIsdp"), 3.1.1 and 5 are accepted. For MQTT 5 the CONNACK states the broker's
limits, so clients never try what it does not do: Maximum QoS 1 (QoS 2 delivery is capped
at 1), Topic Alias Maximum 0, no Subscription Identifiers, shared subscriptions available.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from broker import codec as mc
from broker import packets as mp
from broker.topics import valid_topic

_ACCEPTED_PROTOCOLS = {("MQTT", 4), ("MQIsdp", 3), ("MQTT", 5)}
# Inbound publishes are handled as they arrive, so the broker takes the protocol's maximum.
SERVER_RECEIVE_MAXIMUM = 65_535
# An MQTT 5 client that sends no Receive Maximum accepts this many (§3.1.2.11.3).
CLIENT_DEFAULT_RECEIVE_MAXIMUM = 65_535
_NEVER_EXPIRES = 0xFFFFFFFF  # MQTT 5 §3.1.2.11.2


@dataclass(frozen=True, slots=True)
class Terms:
    v5: bool
    client_id: str
    assigned_id: bool  # the client sent an empty id and must be told the one it got
    clean_start: bool
    expiry_s: float  # how long the session outlives the connection; math.inf for ever
    receive_maximum: int | None  # the client's in-flight limit; None: the broker's default
    max_packet_bytes: int | None  # the largest packet the client accepts
    keepalive_s: int
    will: mp.Will | None


def session_expiry(seconds: int) -> float:
    return math.inf if seconds == _NEVER_EXPIRES else float(seconds)


def negotiate(connect: mp.Connect, accept_mqtt5: bool = True) -> Terms | bytes:
    """The terms of the connection, or the CONNACK that refuses it.

    `accept_mqtt5=False` refuses MQTT 5 as brokers without it do, so clients' fallback to
    MQTT 3.1.1 can be tested.
    """
    if (connect.protocol_name, connect.protocol_level) not in _ACCEPTED_PROTOCOLS:
        return mp.encode_connack(False, mp.REFUSED_PROTOCOL_VERSION)
    v5 = connect.protocol_level == 5
    if v5 and not accept_mqtt5:
        return mp.encode_connack_v5(False, mp.UNSUPPORTED_PROTOCOL_VERSION, {})
    props = connect.properties
    if v5 and mc.AUTHENTICATION_METHOD in props.values:  # no enhanced authentication
        return mp.encode_connack_v5(False, mp.BAD_AUTHENTICATION_METHOD, {})
    client_id = connect.client_id
    assigned = not client_id
    if assigned:
        if not v5 and not connect.clean_start:  # nothing to key a persistent session on
            return mp.encode_connack(False, mp.REFUSED_IDENTIFIER)
        client_id = f"veille-auto-{uuid.uuid4().hex}"
    if connect.will is not None and not valid_topic(connect.will.topic):
        raise mc.ProtocolError("invalid will topic")
    if v5:
        expiry_s = session_expiry(props.number(mc.SESSION_EXPIRY, 0))
        receive_maximum = props.number(mc.RECEIVE_MAXIMUM, CLIENT_DEFAULT_RECEIVE_MAXIMUM)
        if receive_maximum == 0:
            raise mc.ProtocolError("Receive Maximum of 0")
        max_packet = props.number(mc.MAXIMUM_PACKET_SIZE, 0) or None
        return Terms(
            True, client_id, assigned, connect.clean_start, expiry_s,
            receive_maximum, max_packet, connect.keepalive_s, connect.will,
        )  # fmt: skip
    # MQTT 3.1.1: a clean session ends with the connection, a persistent one never expires.
    expiry_s = 0.0 if connect.clean_start else math.inf
    return Terms(
        False, client_id, False, connect.clean_start, expiry_s,
        None, None, connect.keepalive_s, connect.will,
    )  # fmt: skip


def connack(terms: Terms, session_present: bool, max_packet_bytes: int) -> bytes:
    if not terms.v5:
        return mp.encode_connack(session_present, mp.ACCEPTED)
    properties: dict[int, int | str] = {
        mc.RECEIVE_MAXIMUM: SERVER_RECEIVE_MAXIMUM,
        mc.MAXIMUM_QOS: 1,
        mc.MAXIMUM_PACKET_SIZE: max_packet_bytes,
        mc.TOPIC_ALIAS_MAXIMUM: 0,
        mc.SUBSCRIPTION_IDS_AVAILABLE: 0,
        mc.SHARED_SUBSCRIPTION_AVAILABLE: 1,
    }
    if terms.assigned_id:
        properties[mc.ASSIGNED_CLIENT_ID] = terms.client_id
    return mp.encode_connack_v5(session_present, mp.ACCEPTED, properties)

"""The embedded broker's pure rules: topic matching, shared-subscription names, the
session's in-flight window, queue bound and message expiry, subscription options, and the
wire codec in both protocol versions."""

from __future__ import annotations

import pytest

from broker import codec as mc
from broker import packets as mp
from broker.router import Router
from broker.session import Message, Session
from broker.topics import matches, split_shared, valid_filter


@pytest.mark.parametrize(
    ("topic_filter", "topic", "expected"),
    [
        ("a/b", "a/b", True),
        ("a/+", "a/b", True),
        ("a/+", "a/b/c", False),
        ("a/#", "a", True),  # '#' includes the parent level
        ("a/#", "a/b/c", True),
        ("#", "a/b", True),
        ("+/+", "a/b", True),
        ("+", "/a", False),  # a leading '/' makes an empty first level
        ("+/a", "/a", True),
        ("#", "$SYS/broker/uptime", False),  # wildcards never match '$' topics
        ("+/broker/uptime", "$SYS/broker/uptime", False),
        ("$SYS/#", "$SYS/broker/uptime", True),
    ],
)
def test_topic_matching_follows_mqtt_311(topic_filter: str, topic: str, expected: bool) -> None:
    assert matches(topic_filter, topic) is expected


@pytest.mark.parametrize("topic_filter", ["a/#/b", "a#", "a/b+", "", "a/+x"])
def test_malformed_filters_are_rejected(topic_filter: str) -> None:
    assert not valid_filter(topic_filter)


def test_shared_subscription_names() -> None:
    assert split_shared("$share/ingest/veille/#") == ("ingest", "veille/#")
    assert split_shared("veille/#") is None
    for bad in ("$share//a", "$share/g", "$share/g+/a", "$share/g/a/#/b"):
        with pytest.raises(ValueError, match="malformed"):
            split_shared(bad)


def test_inflight_window_holds_back_qos1_until_acknowledged() -> None:
    session = Session("c", clean=False, max_queued=10, max_inflight=2)
    session.connected = True
    for i in range(3):
        session.offer(Message.create("t", str(i).encode(), 1, False), 1, False)
    assert len(session.take_sendable(100, 0.0)) == 2
    assert session.take_sendable(100, 0.0) == []
    assert [p[0] & 0x08 for p in session.resend_inflight(0.0)] == [0x08, 0x08]  # DUP set
    session.acknowledge(1)
    assert len(session.take_sendable(100, 0.0)) == 1


def test_queue_bound_drops_newest_and_counts() -> None:
    session = Session("c", clean=False, max_queued=2)
    offered = [session.offer(Message.create("t", b"x", 1, False), 1, False) for _ in range(3)]
    assert offered == [True, True, False]
    assert session.dropped == 1


def test_absent_client_is_not_queued_qos0() -> None:
    session = Session("c", clean=False)
    assert session.offer(Message.create("t", b"x", 0, False), 0, False) is False


def test_overlapping_subscriptions_deliver_one_copy_at_highest_qos() -> None:
    router = Router()
    session = Session("c", clean=True)
    session.connected = True
    router.sessions["c"] = session
    assert router.subscribe(session, mp.SubscribeRequest("a/#", 0)) == 0
    assert router.subscribe(session, mp.SubscribeRequest("a/+", 2)) == 1  # QoS 2 granted as 1
    router.route(Message.create("a/b", b"x", 1, False))
    assert [(d.qos, d.retain) for d in session.queue] == [(1, False)]


def test_publish_round_trips_through_the_codec() -> None:
    wire = mp.encode_publish(mc.encode_string("a/b"), b"payload", 1, True, True, 7)
    packet = mp.Packet(wire[0] >> 4, wire[0] & 0x0F, wire[2:])
    assert mp.parse_publish(packet, False) == mp.Publish("a/b", b"payload", 1, True, True, 7)


def test_mqtt5_publish_keeps_application_properties_and_drops_the_rest() -> None:
    user = b"\x26" + mc.encode_string("k") + mc.encode_string("v")
    raw = b"\x02\x00\x00\x00\x3c" + user + b"\x03" + mc.encode_string("text/plain")
    properties = mc.varint(len(raw)) + raw
    wire = mp.encode_publish(mc.encode_string("a"), b"x", 1, False, False, 9, properties)
    publish = mp.parse_publish(mp.Packet(wire[0] >> 4, wire[0] & 0x0F, wire[2:]), True)
    assert (publish.topic, publish.payload, publish.packet_id) == ("a", b"x", 9)
    assert publish.properties.number(mc.MESSAGE_EXPIRY, 0) == 60
    # Message Expiry is recomputed at delivery, so only these travel as they came.
    assert publish.properties.forward == user + b"\x03" + mc.encode_string("text/plain")


@pytest.mark.parametrize(
    "raw",
    [b"\x05\x02\x00\x00", b"\x02\x7f\x00", b"\x04\x21\x00\x01\x21"],
    ids=["length-past-end", "unknown-id", "truncated-repeat"],
)
def test_malformed_properties_are_protocol_errors(raw: bytes) -> None:
    with pytest.raises(mc.ProtocolError):
        mc.Cursor(raw).properties()


def test_repeated_property_is_a_protocol_error() -> None:
    with pytest.raises(mc.ProtocolError, match="repeated"):
        mc.Cursor(b"\x06\x21\x00\x01\x21\x00\x02").properties()


def test_broker_properties_round_trip() -> None:
    values: dict[int, int | str] = {mc.RECEIVE_MAXIMUM: 10, mc.MAXIMUM_QOS: 1, 0x12: "id"}
    parsed = mc.Cursor(mc.encode_properties(values)).properties()
    assert parsed.values == values


def test_mqtt5_subscription_options_are_parsed_and_reserved_bits_refused() -> None:
    body = b"\x00\x05\x00" + mc.encode_string("a/#") + bytes((0x2D,))
    assert mp.parse_subscribe(body, True) == (5, [mp.SubscribeRequest("a/#", 1, True, True, 2)])
    with pytest.raises(mc.ProtocolError):
        mp.parse_subscribe(b"\x00\x05" + mc.encode_string("a") + b"\x04", False)
    with pytest.raises(mc.ProtocolError):
        mp.parse_subscribe(b"\x00\x05\x00" + mc.encode_string("a") + b"\x41", True)


def test_no_local_and_retain_handling_in_the_router() -> None:
    router = Router()
    me = Session("me", clean=True)
    me.connected = True
    router.sessions["me"] = me
    router.route(Message.create("t/old", b"r", 1, True))
    router.subscribe(me, mp.SubscribeRequest("t/#", 1, no_local=True, retain_handling=2))
    assert not me.queue  # Retain Handling 2: no retained message on subscribe
    assert router.route(Message.create("t/a", b"x", 1, False, origin="me")) == 0
    router.route(Message.create("t/b", b"y", 1, True, origin="other"))
    assert [(d.message.topic, d.retain) for d in me.queue] == [("t/b", False)]


def test_expired_and_oversized_messages_are_dropped_at_delivery() -> None:
    session = Session("c", clean=True)
    session.connected, session.v5, session.max_packet_bytes = True, True, 40
    session.offer(Message.create("t", b"stale", 1, False, expires_at=10.0), 1, False)
    session.offer(Message.create("t", b"x" * 50, 1, False), 1, False)
    session.offer(Message.create("t", b"fresh", 1, False, expires_at=100.0), 1, False)
    [wire] = session.take_sendable(10, now=40.0)
    assert wire.endswith(b"fresh")
    assert b"\x02\x00\x00\x00\x3c" in wire  # 60 s of its expiry left
    assert len(session.inflight) == 1  # the dropped ones are not waiting for an ack

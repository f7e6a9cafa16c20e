"""The embedded broker's pure rules: topic matching, shared-subscription names, the
session's in-flight window and queue bound, and the wire codec."""

from __future__ import annotations

import pytest

from veille import mqtt_packets as mp
from veille.mqtt_router import Router
from veille.mqtt_session import Message, Session
from veille.mqtt_topics import matches, split_shared, valid_filter


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
    assert len(session.take_sendable(100)) == 2
    assert session.take_sendable(100) == []
    assert [p[0] & 0x08 for p in session.resend_inflight()] == [0x08, 0x08]  # DUP set
    session.acknowledge(1)
    assert len(session.take_sendable(100)) == 1


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
    assert router.subscribe(session, "a/#", 0) == 0
    assert router.subscribe(session, "a/+", 2) == 1  # QoS 2 is granted as 1
    router.route(Message.create("a/b", b"x", 1, False))
    assert [(d.qos, d.retain) for d in session.queue] == [(1, False)]


def test_publish_round_trips_through_the_codec() -> None:
    wire = mp.encode_publish(mp.encode_string("a/b"), b"payload", 1, True, True, 7)
    packet = mp.Packet(wire[0] >> 4, wire[0] & 0x0F, wire[2:])
    assert mp.parse_publish(packet) == mp.Publish("a/b", b"payload", 1, True, True, 7)

"""MQTT 5 behaviour Veille relies on, against Mosquitto and the embedded broker alike
(`port` in conftest.py), plus what only the embedded broker can be asked: its CONNACK
limits, session expiry bookkeeping, and DISCONNECT reason codes for malformed packets."""

from __future__ import annotations

import random
import socket
import struct
import threading
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from broker.server import BrokerThread
from tests.broker.peer import WAIT_S, Peer

V5 = mqtt.MQTTv5


def test_manual_ack_client_with_receive_maximum_10_gets_a_whole_burst(
    port: int, request: pytest.FixtureRequest
) -> None:
    n, window = 5000, 10
    cond = threading.Condition()
    received: list[int] = []
    state = {"acked": 0, "most_outstanding": 0, "subacks": 0}

    def on_message(_c: object, _u: object, message: mqtt.MQTTMessage) -> None:
        with cond:
            received.append(message.mid)
            # Acks are counted before they are sent, so this never overstates the window.
            outstanding = len(received) - state["acked"]
            state["most_outstanding"] = max(state["most_outstanding"], outstanding)
            cond.notify_all()

    def on_subscribe(*_: object) -> None:
        with cond:
            state["subacks"] += 1
            cond.notify_all()

    client = mqtt.Client(CallbackAPIVersion.VERSION2, "flow-sub", protocol=V5, manual_ack=True)
    client.on_message = on_message
    client.on_subscribe = on_subscribe
    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.ReceiveMaximum = window
    client.connect("127.0.0.1", port, properties=props)
    client.loop_start()
    subscribed = client.subscribe("flow/#", qos=1)[1]
    with cond:  # the publisher is another connection: the broker must hold the filter first
        cond.wait_for(lambda: state["subacks"], WAIT_S)
    publisher = Peer(port, "flow-pub", protocol=V5)
    publisher.connect()
    publisher.publish("flow/ready", b"")
    with cond:
        assert cond.wait_for(lambda: received, WAIT_S), f"no message (SUBSCRIBE {subscribed})"
    burst = [(f"flow/{i % 3}", b"x") for i in range(n)]
    sending = threading.Thread(target=publisher.publish_all, args=(burst,))
    sending.start()
    while True:
        with cond:
            assert cond.wait_for(lambda: len(received) > state["acked"], WAIT_S), (
                f"stalled after {len(received)} of {n + 1} messages"
            )
            # Let the window fill, so a broker ignoring Receive Maximum would overshoot it.
            cond.wait_for(lambda: len(received) - state["acked"] >= window, 0.05)
            to_ack = received[state["acked"] :]
            state["acked"] = len(received)
        for mid in to_ack:
            client.ack(mid, 1)
        if state["acked"] == n + 1:
            break
    sending.join(WAIT_S)
    # Mosquitto 2.0.11 was seen with 142 unacknowledged: it does not hold to the window.
    if request.node.callspec.params["port"] == "embedded":
        assert state["most_outstanding"] <= window
    client.disconnect()
    client.loop_stop()
    publisher.close()


def test_session_expiry_zero_ends_the_session_with_the_connection(port: int) -> None:
    first = Peer(port, "brief", clean_session=False, session_expiry_s=0, protocol=V5)
    first.connect()
    first.subscribe("brief/#")
    first.close()
    again = Peer(port, "brief", clean_session=False, protocol=V5)
    assert again.connect() is False
    again.close()


def test_no_local_subscription_skips_own_messages(port: int) -> None:
    talker = Peer(port, "talker", protocol=V5)
    talker.connect()
    talker.subscribe("chat/#", options=SubscribeOptions(qos=1, noLocal=True))
    talker.subscribe("done")
    listener = Peer(port, "listener", protocol=V5)
    listener.connect()
    listener.subscribe("chat/#")
    talker.publish("chat/a", b"hello")
    talker.publish("done", b"")  # not under chat/#, so the talker hears it
    talker.wait_for_topic("done")
    assert listener.wait_for_topic("chat/a").payload == b"hello"
    assert talker.topics() == ["done"]
    talker.close()
    listener.close()


def test_retain_handling_and_retain_as_published(port: int) -> None:
    publisher = Peer(port, "rh-pub", protocol=V5)
    publisher.connect()
    publisher.publish("rh/state", b"old", retain=True)
    peer = Peer(port, "rh-sub", protocol=V5)
    peer.connect()
    never = SubscribeOptions(qos=1, retainHandling=2, retainAsPublished=True)
    peer.subscribe("rh/#", options=never)
    publisher.publish("rh/state", b"new", retain=True)
    message = peer.wait_for_topic("rh/state")
    # The stored "old" was not sent; the live one keeps its retain flag.
    assert (message.payload, message.retain) == (b"new", True)
    assert peer.payloads() == [b"new"]
    publisher.publish("rh/state", b"", retain=True)
    publisher.close()
    peer.close()


def test_application_properties_reach_the_subscriber(port: int) -> None:
    subscriber = Peer(port, "props-sub", protocol=V5)
    subscriber.connect()
    subscriber.subscribe("props/#")
    publisher = Peer(port, "props-pub", protocol=V5)
    publisher.connect()
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    props.UserProperty = [("home", "h1"), ("source", "test")]
    props.ContentType = "application/json"
    props.MessageExpiryInterval = 3600
    publisher.publish("props/a", b"{}", properties=props)
    received = subscriber.wait_for_topic("props/a").properties
    assert received is not None
    got = received.json()  # type: ignore[no-untyped-call]
    assert got["UserProperty"] == [("home", "h1"), ("source", "test")]
    assert got["ContentType"] == "application/json"
    assert 3590 <= got["MessageExpiryInterval"] <= 3600
    subscriber.close()
    publisher.close()


def test_embedded_broker_states_its_limits_in_connack() -> None:
    with BrokerThread() as broker:
        client = Peer(broker.port, "", protocol=V5)
        assert client.connect() is False
        assert client.connack_properties is not None
        props = client.connack_properties.json()  # type: ignore[no-untyped-call]
        limits = ("MaximumQoS", "TopicAliasMaximum", "SharedSubscriptionAvailable")
        assert [props[k] for k in limits] == [1, 0, 1]
        assert props["AssignedClientIdentifier"].startswith("veille-auto-")
        client.close()


def test_embedded_broker_forgets_a_session_when_its_expiry_runs_out() -> None:
    with BrokerThread() as broker:
        first = Peer(broker.port, "expiring", clean_session=False, session_expiry_s=1, protocol=V5)
        first.connect()
        first.subscribe("e/#")
        first.close()
        sessions = broker.broker.router.sessions
        deadline = time.monotonic() + 10
        while "expiring" in sessions:  # nothing notifies from the broker thread: poll
            assert time.monotonic() < deadline, "session still stored 10 s after it expired"
            time.sleep(0.05)
        again = Peer(broker.port, "expiring", clean_session=False, protocol=V5)
        assert again.connect() is False
        again.close()


def test_embedded_broker_can_refuse_mqtt5_like_a_311_only_broker() -> None:
    with BrokerThread(accept_mqtt5=False) as broker:
        client = Peer(broker.port, "v5", protocol=V5)
        client.try_connect()
        client.client.loop_stop()
        assert client.connack == (False, 0x84)


def _v5_connect(client_id: bytes) -> bytes:
    body = b"\x00\x04MQTT\x05\x02\x00\x3c\x00" + struct.pack("!H", len(client_id)) + client_id
    return bytes((0x10, len(body))) + body


@pytest.mark.parametrize(
    ("packet", "reason"),
    [
        (b"\x36\x05\x00\x01ab\x00", 0x81),  # PUBLISH with QoS 3
        (b"\x32\x0b\x00\x01a\x00\x01\x03\x23\x00\x01xy", 0x94),  # a topic alias
        (b"\x30\x05\x00\x01a\x05\x99", 0x81),  # property length past the end
        (b"\x82\x08\x00\x01\x00\x00\x01a\x00\x01", 0x81),  # truncated second filter
        (b"\x82\x10\x00\x01\x00\x00\x0a$share/g/a\x05", 0x82),  # No Local on a share
        (b"\xf0\x00", 0x82),  # AUTH: no enhanced authentication
    ],
)
def test_embedded_broker_disconnects_a_bad_packet_with_a_reason(packet: bytes, reason: int) -> None:
    with BrokerThread() as broker:
        with socket.create_connection(("127.0.0.1", broker.port), timeout=WAIT_S) as sock:
            sock.sendall(_v5_connect(b"bad"))
            assert sock.recv(2)[0] == 0x20  # CONNACK
            sock.recv(256)
            sock.sendall(packet)
            assert sock.recv(4)[:3] == bytes((0xE0, 1, reason))
            assert sock.recv(1) == b""  # and closed
        survivor = Peer(broker.port, "survivor", protocol=V5)
        survivor.connect()  # the broker still serves
        survivor.close()


def test_embedded_broker_survives_randomly_corrupted_packets() -> None:
    valid = [
        b"\x32\x0b\x00\x01a\x00\x01\x03\x26\x00\x00",  # PUBLISH with a User Property
        b"\x82\x10\x00\x01\x00\x00\x0a$share/g/a\x01",  # SUBSCRIBE
        b"\xa2\x06\x00\x01\x00\x00\x01a",  # UNSUBSCRIBE
        b"\x40\x03\x00\x01\x00",  # PUBACK
        b"\xe0\x02\x00\x00",  # DISCONNECT
    ]
    rng = random.Random(7)
    with BrokerThread() as broker:
        for _ in range(300):
            packets = [bytearray(rng.choice(valid)) for _ in range(rng.randint(1, 3))]
            for packet in packets:
                for _ in range(rng.randint(1, 3)):
                    packet[rng.randrange(len(packet))] = rng.randrange(256)
            with socket.create_connection(("127.0.0.1", broker.port), timeout=WAIT_S) as sock:
                sock.sendall(_v5_connect(b"fuzz") + b"".join(packets))
                sock.shutdown(socket.SHUT_WR)
                while sock.recv(4096):  # until the broker closes: it must, either way
                    pass
        # The broker closed each socket after ending its session (clean start, no expiry).
        assert not broker.broker.router.sessions
        survivor = Peer(broker.port, "survivor", protocol=V5)
        survivor.connect()
        survivor.close()

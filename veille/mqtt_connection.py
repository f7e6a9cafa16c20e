"""One client's network connection to the embedded broker: the MQTT 3.1.1 conversation.

Reads packets and acts on them, writes acknowledgements, runs a sender task that drains the
session's queue within its in-flight window, and enforces keepalive. Session bookkeeping is
the broker's (open/close) and routing is the router's; this module only speaks the protocol.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import TYPE_CHECKING

from veille import mqtt_packets as mp
from veille.mqtt_session import Message, Session
from veille.mqtt_topics import valid_topic

if TYPE_CHECKING:
    from veille.broker import EmbeddedBroker

log = logging.getLogger(__name__)

_SEND_BATCH = 512  # packets written per drain: amortises syscalls, bounds buffer growth
_PUBACK_BUFFER_LIMIT = 64 * 1024  # pause reading a publisher that does not read its acks
_ACCEPTED_PROTOCOLS = {("MQTT", 4), ("MQIsdp", 3)}


class Connection:
    def __init__(
        self, broker: EmbeddedBroker, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.broker, self.reader, self.writer = broker, reader, writer
        self.session: Session | None = None
        self.will: mp.Will | None = None
        self._loop = asyncio.get_running_loop()
        self._last_heard = self._loop.time()
        self._silence_limit_s = 0.0
        self._watchdog: asyncio.TimerHandle | None = None
        self._sender: asyncio.Task[None] | None = None

    async def run(self) -> None:
        graceful = False
        try:
            async with asyncio.timeout(self.broker.connect_timeout_s):
                first = await mp.read_packet(self.reader, self.broker.max_packet_bytes)
            if not self._accept(first):
                return
            while True:
                packet = await mp.read_packet(self.reader, self.broker.max_packet_bytes)
                self._last_heard = self._loop.time()
                if packet.kind == mp.DISCONNECT:
                    graceful = True
                    return
                self._dispatch(packet)
                if self.writer.transport.get_write_buffer_size() > _PUBACK_BUFFER_LIMIT:
                    await self.writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError) as err:
            log.debug("connection closed: %r", err)
        except mp.ProtocolError as err:
            log.warning("closing connection after protocol error: %s", err)
        finally:
            self._close(publish_will=not graceful)

    def take_over(self) -> None:
        """A new connection claimed this client id: drop this one, without its will."""
        self.will = None
        self._stop_sender()
        self.writer.transport.abort()

    def _accept(self, packet: mp.Packet) -> bool:
        if packet.kind != mp.CONNECT:
            raise mp.ProtocolError("first packet is not CONNECT")
        connect = mp.parse_connect(packet.body)
        if connect.protocol_level == 5:
            self.writer.write(mp.encode_connack_v5_refusal(mp.V5_UNSUPPORTED_PROTOCOL_VERSION))
            return False
        if (connect.protocol_name, connect.protocol_level) not in _ACCEPTED_PROTOCOLS:
            self.writer.write(mp.encode_connack(False, mp.REFUSED_PROTOCOL_VERSION))
            return False
        client_id = connect.client_id
        if not client_id:
            if not connect.clean_session:  # nothing to key a persistent session on
                self.writer.write(mp.encode_connack(False, mp.REFUSED_IDENTIFIER))
                return False
            client_id = f"veille-auto-{uuid.uuid4().hex}"
        if connect.will is not None and not valid_topic(connect.will.topic):
            raise mp.ProtocolError("invalid will topic")
        present = self.broker.open_session(self, client_id, connect.clean_session)
        self.will = connect.will
        self.writer.write(mp.encode_connack(present, mp.ACCEPTED))
        if connect.keepalive_s:
            # The server allows one and a half keepalive periods (MQTT 3.1.1 §3.1.2.10).
            self._silence_limit_s = connect.keepalive_s * 1.5
            self._watchdog = self._loop.call_later(self._silence_limit_s, self._check_keepalive)
        assert self.session is not None
        self._sender = asyncio.create_task(self._send(self.session))
        self.broker.track(self._sender)
        return True

    def _dispatch(self, packet: mp.Packet) -> None:
        session = self.session
        assert session is not None
        kind, write = packet.kind, self.writer.write
        if kind in (mp.SUBSCRIBE, mp.UNSUBSCRIBE, mp.PUBREL) and packet.flags != 0x02:
            raise mp.ProtocolError(f"packet type {kind} with reserved flags {packet.flags:#x}")
        if kind == mp.PUBLISH:
            self._on_publish(session, mp.parse_publish(packet))
        elif kind == mp.PUBACK:
            session.acknowledge(mp.parse_packet_id(packet.body))
        elif kind == mp.PUBREL:
            packet_id = mp.parse_packet_id(packet.body)
            session.awaiting_release.discard(packet_id)
            write(mp.encode_ack(mp.PUBCOMP, packet_id))
        elif kind == mp.SUBSCRIBE:
            packet_id, requests = mp.parse_subscribe(packet.body)
            # SUBACK is written before the retained messages queued by subscribe(): those
            # go out through the sender task, which runs only after this returns.
            codes = [self.broker.router.subscribe(session, f, q) for f, q in requests]
            write(mp.encode_suback(packet_id, codes))
        elif kind == mp.UNSUBSCRIBE:
            packet_id, filters = mp.parse_unsubscribe(packet.body)
            for topic_filter in filters:
                self.broker.router.unsubscribe(session, topic_filter)
            write(mp.encode_ack(mp.UNSUBACK, packet_id))
        elif kind == mp.PINGREQ:
            write(mp.PINGRESP_PACKET)
        elif kind not in (mp.PUBREC, mp.PUBCOMP):  # we never send QoS 2, so never expect these
            raise mp.ProtocolError(f"unexpected packet type {kind}")

    def _on_publish(self, session: Session, publish: mp.Publish) -> None:
        if not valid_topic(publish.topic):
            raise mp.ProtocolError(f"invalid topic name {publish.topic!r}")
        packet_id = publish.packet_id
        if publish.qos == 2:
            assert packet_id is not None
            if packet_id in session.awaiting_release:  # resent before PUBREL: already routed
                self.writer.write(mp.encode_ack(mp.PUBREC, packet_id))
                return
            session.awaiting_release.add(packet_id)
        qos = min(publish.qos, 1)
        self.broker.router.route(
            Message.create(publish.topic, publish.payload, qos, publish.retain)
        )
        if packet_id is not None:
            ack = mp.PUBACK if publish.qos == 1 else mp.PUBREC
            self.writer.write(mp.encode_ack(ack, packet_id))

    async def _send(self, session: Session) -> None:
        writer = self.writer
        try:
            writer.writelines(session.resend_inflight())
            while True:
                # Clear before looking, so a wake-up that arrives while we write is kept.
                session.wake.clear()
                batch = session.take_sendable(_SEND_BATCH)
                if batch:
                    writer.writelines(batch)
                    await writer.drain()
                else:
                    await session.wake.wait()
        except ConnectionError as err:
            log.debug("sender stopped: %r", err)

    def _check_keepalive(self) -> None:
        silent_s = self._loop.time() - self._last_heard
        if silent_s >= self._silence_limit_s:
            log.info("client silent for %.1f s beyond keepalive; closing", silent_s)
            self.writer.transport.abort()  # the reader sees EOF; the will is published
        else:
            self._watchdog = self._loop.call_later(
                self._silence_limit_s - silent_s, self._check_keepalive
            )

    def _stop_sender(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            self._sender = None

    def _close(self, publish_will: bool) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
        self._stop_sender()
        self.broker.close_session(self)
        will, self.will = self.will, None
        if publish_will and will is not None and not self.broker.stopping:
            qos = min(will.qos, 1)
            self.broker.router.route(Message.create(will.topic, will.payload, qos, will.retain))
        self.writer.close()

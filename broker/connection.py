"""One client's network connection to the embedded broker: the MQTT 3.1.1 or 5 conversation.

Reads packets and acts on them, writes acknowledgements, runs a sender task that drains the
session's queue within its in-flight window, and enforces keepalive. Session bookkeeping is
the broker's (open/close) and routing is the router's; this module only speaks the protocol.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from broker import codec as mc
from broker import packets as mp
from broker.handshake import connack, negotiate, session_expiry
from broker.session import Message, Session
from broker.topics import valid_topic

if TYPE_CHECKING:
    from broker.server import EmbeddedBroker

log = logging.getLogger(__name__)

_SEND_BATCH = 512  # packets written per drain: amortises syscalls, bounds buffer growth
_PUBACK_BUFFER_LIMIT = 64 * 1024  # pause reading a publisher that does not read its acks


class Connection:
    def __init__(
        self, broker: EmbeddedBroker, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.broker, self.reader, self.writer = broker, reader, writer
        self.session: Session | None = None
        self.will: mp.Will | None = None
        self.v5 = False
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
                    graceful = self._on_disconnect(packet.body)
                    return
                self._dispatch(packet)
                if self.writer.transport.get_write_buffer_size() > _PUBACK_BUFFER_LIMIT:
                    await self.writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError) as err:
            log.debug("connection closed: %r", err)
        except mc.ProtocolError as err:
            log.warning("closing connection after protocol error: %s", err)
            if self.v5:  # tell the client why (MQTT 5 §4.13); 3.1.1 just closes
                self.writer.write(mp.encode_disconnect(err.reason))
        finally:
            self._close(publish_will=not graceful)

    def take_over(self) -> None:
        """A new connection claimed this client id: drop this one, without its will."""
        self.will = None
        self._stop_sender()
        self.writer.transport.abort()

    def _accept(self, packet: mp.Packet) -> bool:
        if packet.kind != mp.CONNECT:
            raise mc.ProtocolError("first packet is not CONNECT")
        terms = negotiate(mp.parse_connect(packet.body), self.broker.accept_mqtt5)
        if isinstance(terms, bytes):  # a refusal
            self.writer.write(terms)
            return False
        self.v5 = terms.v5
        present = self.broker.open_session(self, terms)
        self.will = terms.will
        self.writer.write(connack(terms, present, self.broker.max_packet_bytes))
        if terms.keepalive_s:
            # The server allows one and a half keepalive periods (MQTT 3.1.1 §3.1.2.10).
            self._silence_limit_s = terms.keepalive_s * 1.5
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
            raise mc.ProtocolError(
                f"packet type {kind} with reserved flags {packet.flags:#x}", mc.MALFORMED_PACKET
            )
        if kind == mp.PUBLISH:
            self._on_publish(session, mp.parse_publish(packet, self.v5))
        elif kind == mp.PUBACK:
            session.acknowledge(mp.parse_packet_id(packet.body))
        elif kind == mp.PUBREL:
            packet_id = mp.parse_packet_id(packet.body)
            session.awaiting_release.discard(packet_id)
            write(mp.encode_ack(mp.PUBCOMP, packet_id))
        elif kind == mp.SUBSCRIBE:
            packet_id, requests = mp.parse_subscribe(packet.body, self.v5)
            # SUBACK is written before the retained messages queued by subscribe(): those
            # go out through the sender task, which runs only after this returns.
            codes = [self.broker.router.subscribe(session, r) for r in requests]
            write(mp.encode_suback(packet_id, codes, self.v5))
        elif kind == mp.UNSUBSCRIBE:
            packet_id, filters = mp.parse_unsubscribe(packet.body, self.v5)
            found = [self.broker.router.unsubscribe(session, f) for f in filters]
            if self.v5:
                codes = [0 if f else mp.NO_SUBSCRIPTION_EXISTED for f in found]
                write(mp.encode_unsuback_v5(packet_id, codes))
            else:
                write(mp.encode_ack(mp.UNSUBACK, packet_id))
        elif kind == mp.PINGREQ:
            write(mp.PINGRESP_PACKET)
        elif kind not in (mp.PUBREC, mp.PUBCOMP):  # we never send QoS 2, so never expect these
            raise mc.ProtocolError(f"unexpected packet type {kind}")

    def _on_disconnect(self, body: bytes) -> bool:
        """Handle DISCONNECT; return False if the client still wants its will published."""
        if not self.v5:
            return True
        reason, properties = mp.parse_disconnect(body)
        session = self.session
        expiry = properties.values.get(mc.SESSION_EXPIRY)
        # A session that was to end with the connection may not be extended (§3.14.2.2.2).
        if isinstance(expiry, int) and session is not None and session.expiry_s:
            session.expiry_s = session_expiry(expiry)
        return reason != mp.DISCONNECT_WITH_WILL

    def _message(
        self, topic: str, payload: bytes, qos: int, retain: bool, props: mc.Properties
    ) -> Message:
        expiry = props.values.get(mc.MESSAGE_EXPIRY)
        expires_at = self._loop.time() + expiry if isinstance(expiry, int) else None
        # QoS 2 is delivered at QoS 1 at most (see broker.router).
        origin = self.session.client_id if self.session is not None else ""
        return Message.create(
            topic, payload, min(qos, 1), retain, props.forward, expires_at, origin
        )

    def _on_publish(self, session: Session, publish: mp.Publish) -> None:
        if mc.TOPIC_ALIAS in publish.properties.values:  # CONNACK said Topic Alias Maximum 0
            raise mc.ProtocolError("topic alias sent", mc.TOPIC_ALIAS_INVALID)
        if not valid_topic(publish.topic):
            raise mc.ProtocolError(f"invalid topic name {publish.topic!r}")
        packet_id = publish.packet_id
        if publish.qos == 2:
            assert packet_id is not None
            if packet_id in session.awaiting_release:  # resent before PUBREL: already routed
                self.writer.write(mp.encode_ack(mp.PUBREC, packet_id))
                return
            session.awaiting_release.add(packet_id)
        message = self._message(
            publish.topic, publish.payload, publish.qos, publish.retain, publish.properties
        )
        receivers = self.broker.router.route(message)
        if packet_id is not None:
            ack = mp.PUBACK if publish.qos == 1 else mp.PUBREC
            reason = mp.NO_MATCHING_SUBSCRIBERS if self.v5 and not receivers else 0
            self.writer.write(mp.encode_ack(ack, packet_id, reason))

    async def _send(self, session: Session) -> None:
        writer = self.writer
        try:
            writer.writelines(session.resend_inflight(self._loop.time()))
            while True:
                # Clear before looking, so a wake-up that arrives while we write is kept.
                session.wake.clear()
                batch = session.take_sendable(_SEND_BATCH, self._loop.time())
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
            message = self._message(
                will.topic, will.payload, will.qos, will.retain, will.properties
            )
            self.broker.router.route(message)
        self.writer.close()

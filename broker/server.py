"""An embedded MQTT 3.1.1 and 5 broker in pure asyncio: the fallback when Mosquitto is absent.

What it does, so `veille up` works on a machine with nothing installed:
CONNECT with clean or persistent sessions (kept in memory, keyed by client id: they keep
subscriptions and queue QoS 1 messages while the client is away; MQTT 5 sessions end when
their Session Expiry Interval runs out), SUBSCRIBE/UNSUBSCRIBE with `+` and `#`,
`$share/<group>/<filter>` shared subscriptions (round-robin), PUBLISH at QoS 0 and 1,
retained messages, will messages, keepalive and PINGREQ. MQTT 5 extras: the client's
Receive Maximum bounds QoS 1 messages in flight to it; subscription options; reason codes
in acknowledgements; Message Expiry, User Properties, Content Type, Payload Format,
Response Topic and Correlation Data reach subscribers; a protocol error gets a DISCONNECT
with its reason code.

Deliberate limits, each documented where it is enforced:
- QoS 2 is downgraded: inbound QoS 2 publishes complete their PUBREC/PUBREL/PUBCOMP
  handshake (so QoS 2 publishers work, without duplicates, even over MQTT 5 although the
  CONNACK says Maximum QoS 1), but delivery is at QoS 1 at most and QoS 2 subscriptions
  are granted QoS 1 (see broker.router).
- MQTT 5 without: topic aliases (Topic Alias Maximum 0), subscription identifiers, enhanced
  authentication (AUTH), Will Delay Interval (the will goes out when the connection ends),
  request/response information, server-sent DISCONNECT on keepalive timeout or take-over.
- Sessions and retained messages live in memory and do not survive a broker restart.
- Username/password are ignored: it is meant to listen on loopback only.
- A client taken over by a new connection with the same id does not publish its will.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
from typing import Any

from broker.connection import Connection
from broker.handshake import Terms
from broker.router import Router
from broker.session import DEFAULT_MAX_INFLIGHT, DEFAULT_MAX_QUEUED, Session

log = logging.getLogger(__name__)


class EmbeddedBroker:
    def __init__(
        self,
        *,
        max_queued_messages: int = DEFAULT_MAX_QUEUED,
        max_inflight_messages: int = DEFAULT_MAX_INFLIGHT,
        max_packet_bytes: int = 16 * 1024 * 1024,
        connect_timeout_s: float = 10.0,
        accept_mqtt5: bool = True,
    ) -> None:
        """`accept_mqtt5=False` answers MQTT 5 clients with CONNACK 0x84 (Unsupported
        Protocol Version), as a 3.1.1-only broker does: for testing clients' fallback."""
        if not 1 <= max_inflight_messages <= 60_000:
            raise ValueError("max_inflight_messages must be between 1 and 60000")
        self.max_queued_messages = max_queued_messages
        self.max_inflight_messages = max_inflight_messages
        self.max_packet_bytes = max_packet_bytes
        self.connect_timeout_s = connect_timeout_s
        self.accept_mqtt5 = accept_mqtt5
        self.router = Router()
        self._connections: dict[str, Connection] = {}
        self._handlers: dict[asyncio.Task[None], Connection] = {}
        self._senders: set[asyncio.Task[None]] = set()
        self._expiries: dict[str, asyncio.TimerHandle] = {}  # sessions waiting to expire
        self._server: asyncio.Server | None = None
        self.stopping = False

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Listen on host:port (0 picks a free port); return the bound port."""
        self._server = await asyncio.start_server(self._serve, host, port)
        bound: int = self._server.sockets[0].getsockname()[1]
        log.info("embedded MQTT broker listening on %s:%d", host, bound)
        return bound

    async def stop(self) -> None:
        self.stopping = True
        if self._server is not None:
            self._server.close()
        for timer in self._expiries.values():
            timer.cancel()
        # Abort rather than cancel: each handler then ends through its normal EOF path
        # (Python 3.11's stream callback mishandles a cancelled client_connected_cb task).
        for conn in list(self._handlers.values()):
            conn.writer.transport.abort()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        # Handlers cancel their senders on the way out; let those finish before the loop goes.
        await asyncio.gather(*self._senders, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers[task] = conn = Connection(self, reader, writer)
        try:
            await conn.run()
        finally:
            del self._handlers[task]

    def track(self, sender: asyncio.Task[None]) -> None:
        """Remember a connection's sender task so stop() can wait for it."""
        self._senders.add(sender)
        sender.add_done_callback(self._senders.discard)

    def open_session(self, conn: Connection, terms: Terms) -> bool:
        """Attach `conn` to its session; return whether a stored session was resumed."""
        client_id = terms.client_id
        previous = self._connections.get(client_id)
        if previous is not None:
            previous.take_over()
        timer = self._expiries.pop(client_id, None)
        if timer is not None:
            timer.cancel()
        session = self.router.sessions.get(client_id)
        if session is not None and terms.clean_start:
            self.router.remove_session(session)
            session = None
        present = session is not None
        if session is None:
            session = Session(client_id, True, self.max_queued_messages)
            self.router.sessions[client_id] = session
        session.expiry_s = terms.expiry_s
        session.v5 = terms.v5
        session.max_inflight = terms.receive_maximum or self.max_inflight_messages
        session.max_packet_bytes = terms.max_packet_bytes
        session.connected = True
        self._connections[client_id] = conn
        conn.session = session
        return present

    def close_session(self, conn: Connection) -> None:
        session = conn.session
        if session is None or self._connections.get(session.client_id) is not conn:
            return  # never attached, or already taken over by a newer connection
        del self._connections[session.client_id]
        session.connected = False
        if session.expiry_s == 0:
            self.router.remove_session(session)
        elif session.expiry_s != math.inf:
            self._expiries[session.client_id] = asyncio.get_running_loop().call_later(
                session.expiry_s, self._expire, session
            )

    def _expire(self, session: Session) -> None:
        del self._expiries[session.client_id]
        if not session.connected and self.router.sessions.get(session.client_id) is session:
            log.info("session %r expired", session.client_id)
            self.router.remove_session(session)


class BrokerThread:
    """Run an EmbeddedBroker on its own event loop in a daemon thread.

    For synchronous callers (tests, `veille up`): `with BrokerThread() as b: b.port`.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        self.host, self._requested_port = host, port
        self.broker = EmbeddedBroker(**options)
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout_s: float = 10.0) -> int:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(
            target=_run_loop, args=(loop,), name="veille-broker", daemon=True
        )
        self._thread.start()
        started = asyncio.run_coroutine_threadsafe(
            self.broker.start(self.host, self._requested_port), loop
        )
        self.port = started.result(timeout_s)
        return self.port

    def stop(self, timeout_s: float = 10.0) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # loop already gone
            asyncio.run_coroutine_threadsafe(self.broker.stop(), loop).result(timeout_s)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout_s)
        self._loop = self._thread = None

    def __enter__(self) -> BrokerThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        loop.close()

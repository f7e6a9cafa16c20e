"""The alerts service: engine, senders, digests and monitor, each a thread with its own
connection, and a LISTEN connection that wakes them.

PostgreSQL NOTIFY (fired by triggers on ``incidents``, ``escalations`` and ``alert_outbox``)
wakes a worker within milliseconds; every worker also polls, so a lost notification or a
dropped listener only costs latency, never a message.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg

from alerts.delivery import warm_up
from alerts.digest import Digests
from alerts.engine import Engine
from alerts.message import Links
from alerts.monitor import Monitor, MonitorConfig
from alerts.sender import Sender, SenderConfig
from alerts.vault import Vault
from devices.clock import Clock, WallClock
from storage import heartbeats, leases, outbox
from storage.retention import Retention, apply_retention

log = logging.getLogger("veille.alerts")

Conn = psycopg.Connection[tuple[object, ...]]
# Builds a worker's step function on its own connection; a step returns how much it did.
StepFactory = Callable[[Conn], Callable[[], object]]

INCIDENTS_CHANNEL = "veille_incidents"
OUTBOX_CHANNEL = "veille_outbox"
BEAT_EVERY_S = 10.0
RETENTION_EVERY_S = 3600.0  # retention counts in days: hourly passes keep each one small
SENDER_WORKERS = 16


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    database_url: str
    public_url: str
    secret_key: str
    data_key: str = ""  # opens the sealed apprise URLs (alerts.vault); required to send
    # Each worker delivers one message at a time on its own connection: a slow receiver
    # holds one worker, not the queue. 16 keep a burst of 1,000 alerts under 2 s (bench).
    sender_workers: int = SENDER_WORKERS
    engine_workers: int = 2  # incidents are locked SKIP LOCKED: workers never share one
    poll_s: float = 1.0
    digest_check_s: float = 60.0
    link_ttl: timedelta = timedelta(hours=24)
    sender: SenderConfig = field(default_factory=SenderConfig)
    # A killed process's messages are taken over once this runs out, not the message lease.
    process_lease_s: float = 15.0
    monitor: MonitorConfig = field(default_factory=MonitorConfig)
    retention: Retention | None = None  # None: another process applies retention


class Wakeup:
    """A generation counter: waiters return as soon as it moved past what they saw."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._generation = 0

    @property
    def generation(self) -> int:
        with self._cond:
            return self._generation

    def fire(self) -> None:
        with self._cond:
            self._generation += 1
            self._cond.notify_all()

    def wait(self, seen: int, timeout_s: float) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self._generation != seen, timeout_s)


@dataclass(frozen=True, slots=True)
class _Worker:
    name: str
    make: StepFactory
    wake: Wakeup
    interval_s: float
    beat_as: str = ""  # heartbeat name the monitor watches; "" for none
    drains: bool = True  # a step that did something may have more waiting: run it again


def run_alerts(
    config: AlertsConfig,
    clock: Clock,
    stop: threading.Event,
    ready: threading.Event | None = None,
) -> None:
    """Run until `stop` is set; `ready` is set once database notifications are heard.

    `clock` drives escalation timing and digests; delivery leases, retry backoff and the
    monitor follow the wall clock, since they concern real processes and networks."""
    warm_up()  # apprise loads its plugins on first use; not while the first alert waits
    engine_wake, sender_wake, timer = Wakeup(), Wakeup(), Wakeup()
    links = Links(config.public_url, config.secret_key, config.link_ttl)
    vault = Vault(config.data_key)
    wall = WallClock()
    process = f"sender-{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
    workers = [
        *(
            _Worker(
                f"alerts-engine-{n}",
                lambda conn: Engine(conn, clock, links).run_once,
                engine_wake,
                config.poll_s,
                "alerts-engine",
            )
            for n in range(config.engine_workers)
        ),
        *(
            _Worker(
                f"alerts-sender-{n}",
                _sender(wall, vault, config.sender, f"{process}/{n}"),
                sender_wake,
                config.poll_s,
                "alerts-sender",
            )
            for n in range(config.sender_workers)
        ),
        _Worker(
            "alerts-lease",
            lambda conn: lambda: _renew(conn, process, wall, config.process_lease_s),
            timer,
            config.process_lease_s / 3,
            drains=False,
        ),
        _Worker(
            "alerts-digest",
            lambda conn: Digests(conn, clock).run_once,
            timer,
            config.digest_check_s,
        ),
        _Worker(
            "alerts-monitor",
            lambda conn: Monitor(conn, wall, config.monitor).run_once,
            timer,
            config.monitor.check_s,
            drains=False,
        ),
    ]
    if config.retention is not None:
        keep = config.retention
        workers.append(
            _Worker(
                "alerts-retention",
                lambda conn: lambda: apply_retention(conn, wall.now(), keep),
                timer,
                RETENTION_EVERY_S,
                drains=False,
            )
        )
    channels = {INCIDENTS_CHANNEL: engine_wake, OUTBOX_CHANNEL: sender_wake}
    threads = [
        threading.Thread(
            target=_listen,
            args=(config, channels, stop, ready or threading.Event()),
            name="alerts-listen",
            daemon=True,
        ),
        *(
            threading.Thread(target=_work, args=(config, w, stop, wall), name=w.name, daemon=True)
            for w in workers
        ),
    ]
    for t in threads:
        t.start()
    stop.wait()
    for wake in (engine_wake, sender_wake, timer):
        wake.fire()
    for t in threads:
        t.join(timeout=config.sender.attempt_timeout_s + 5)


def _sender(wall: Clock, vault: Vault, config: SenderConfig, owner: str) -> StepFactory:
    return lambda conn: Sender(conn, wall, vault, config, owner).run_once


def _renew(conn: Conn, process: str, wall: Clock, lease_s: float) -> None:
    now = wall.now()
    leases.hold(
        conn, outbox.SENDER_SCOPE, [process], process, now, now + timedelta(seconds=lease_s)
    )


def _work(config: AlertsConfig, worker: _Worker, stop: threading.Event, wall: Clock) -> None:
    while not stop.is_set():
        try:
            with psycopg.connect(config.database_url, autocommit=True) as conn:
                step, last_beat = worker.make(conn), 0.0
                while not stop.is_set():
                    seen = worker.wake.generation
                    busy = step()
                    if worker.beat_as and time.monotonic() - last_beat > BEAT_EVERY_S:
                        heartbeats.beat(conn, worker.beat_as, wall.now())
                        last_beat = time.monotonic()
                    if not (worker.drains and busy):
                        worker.wake.wait(seen, worker.interval_s)
        except psycopg.Error:
            log.exception("%s: database error; reconnecting", worker.name)
            stop.wait(config.poll_s)


def _listen(
    config: AlertsConfig,
    channels: dict[str, Wakeup],
    stop: threading.Event,
    ready: threading.Event,
) -> None:
    while not stop.is_set():
        try:
            with psycopg.connect(config.database_url, autocommit=True) as conn:
                for channel in channels:
                    conn.execute(f"LISTEN {channel}")
                for wake in channels.values():  # catch up on what happened before listening
                    wake.fire()
                ready.set()
                while not stop.is_set():
                    for note in conn.notifies(timeout=min(config.poll_s, 0.5)):
                        channels[note.channel].fire()
        except psycopg.Error:
            log.exception("alerts listener: database error; reconnecting")
            stop.wait(config.poll_s)

"""The alerts service: the engine, the senders and a LISTEN connection that wakes them.

PostgreSQL NOTIFY (fired by triggers on ``incidents`` and ``alert_outbox``) wakes a worker
within milliseconds; every worker also polls every ``poll_s`` seconds, so a lost
notification or a dropped listener only costs latency, never a message.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg

from alerts.delivery import warm_up
from alerts.engine import Engine
from alerts.message import Links
from alerts.sender import Sender, SenderConfig
from analytics.clock import Clock, WallClock

log = logging.getLogger("veille.alerts")

Conn = psycopg.Connection[tuple[object, ...]]
# Builds a worker's step function on its own connection; a step returns how much it did.
StepFactory = Callable[[Conn], Callable[[], int]]

INCIDENTS_CHANNEL = "veille_incidents"
OUTBOX_CHANNEL = "veille_outbox"


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    database_url: str
    public_url: str
    secret_key: str
    sender_workers: int = 4
    poll_s: float = 1.0
    link_ttl: timedelta = timedelta(hours=24)
    sender: SenderConfig = field(default_factory=SenderConfig)


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


def run_alerts(
    config: AlertsConfig,
    clock: Clock,
    stop: threading.Event,
    ready: threading.Event | None = None,
) -> None:
    """Run until `stop` is set; `ready` is set once database notifications are heard.

    `clock` drives escalation timing; delivery leases and retry backoff always follow the
    wall clock, since they concern real processes and networks."""
    warm_up()  # apprise loads its plugins on first use; not while the first alert waits
    engine_wake, sender_wake = Wakeup(), Wakeup()
    links = Links(config.public_url, config.secret_key, config.link_ttl)
    wall = WallClock()
    workers: list[tuple[str, StepFactory, Wakeup]] = [
        ("alerts-engine", lambda conn: Engine(conn, clock, links).run_once, engine_wake)
    ]
    workers += [
        (
            f"alerts-sender-{n}",
            lambda conn: Sender(conn, wall, config.sender).run_once,
            sender_wake,
        )
        for n in range(config.sender_workers)
    ]
    threads = [
        threading.Thread(
            target=_listen,
            args=(
                config,
                {INCIDENTS_CHANNEL: engine_wake, OUTBOX_CHANNEL: sender_wake},
                stop,
                ready or threading.Event(),
            ),
            name="alerts-listen",
            daemon=True,
        )
    ]
    threads += [
        threading.Thread(target=_work, args=(config, make, wake, stop), name=name, daemon=True)
        for name, make, wake in workers
    ]
    for t in threads:
        t.start()
    stop.wait()
    engine_wake.fire()
    sender_wake.fire()
    for t in threads:
        t.join(timeout=config.sender.attempt_timeout_s + 5)


def _work(
    config: AlertsConfig,
    make: StepFactory,
    wake: Wakeup,
    stop: threading.Event,
) -> None:
    while not stop.is_set():
        try:
            with psycopg.connect(config.database_url, autocommit=True) as conn:
                step = make(conn)
                while not stop.is_set():
                    seen = wake.generation
                    if step() == 0:
                        wake.wait(seen, config.poll_s)
        except psycopg.Error:
            log.exception("%s: database error; reconnecting", threading.current_thread().name)
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

"""Ingest's database connection: one transaction per batch, and patience when PostgreSQL is
away (the batch is retried on a fresh connection; its messages stay unacknowledged)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TypeVar

import psycopg

from devices.activity import STATEFUL
from devices.signals import DeviceKind, Role
from ingest.batch import Batch, outcome, payload_text
from storage import (
    client_ids,
    dead_letters,
    device_messages,
    device_status,
    events,
    heartbeats,
    pending_events,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
_BACKOFF_S = (0.2, 0.5, 1.0, 2.0, 5.0)
# Raw payloads may hold personal data; they are kept only long enough to debug a device.
DEAD_LETTER_RETENTION = timedelta(days=7)


class Store:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self._claim: psycopg.Connection[tuple[object, ...]] | None = None

    @property
    def conn(self) -> psycopg.Connection[tuple[object, ...]]:
        if self._conn is None or self._conn.closed:
            conn = psycopg.connect(self.database_url, autocommit=True, connect_timeout=5)
            events.prepare_staging(conn)
            device_status.prepare_staging(conn)
            self._conn = conn
        return self._conn

    def connect(self, stop: threading.Event) -> bool:
        return self.with_retry(stop, lambda s: s.conn) is not None

    def close(self) -> None:
        for conn in (self._conn, self._claim):
            if conn is not None:
                conn.close()

    def claim_client_id(self, client_id: str) -> bool:
        """Hold `client_id` for this process (see storage.client_ids); True while held.

        Called again after an outage: the lock went with the lost connection."""
        if self._claim is not None and not self._claim.closed:
            try:
                self._claim.execute("SELECT 1")
                return True
            except psycopg.OperationalError:
                self._claim.close()
        self._claim = psycopg.connect(self.database_url, autocommit=True, connect_timeout=5)
        return client_ids.claim(self._claim, client_id)

    def with_retry(self, stop: threading.Event, work: Callable[[Store], T]) -> T | None:
        """Run `work` until it succeeds; None only if `stop` was set meanwhile."""
        attempt = 0
        while not stop.is_set():
            try:
                return work(self)
            except psycopg.OperationalError as exc:
                delay = _BACKOFF_S[min(attempt, len(_BACKOFF_S) - 1)]
                log.warning("database unavailable (%s); retrying in %.1f s", exc, delay)
                attempt += 1
                if self._conn is not None:
                    self._conn.close()
                stop.wait(delay)
        return None

    def registry(self) -> dict[str, tuple[str, str]]:
        return device_status.registry(self.conn)

    def wiring(self) -> dict[tuple[str, str], tuple[DeviceKind, Role]]:
        return device_status.wiring(self.conn)

    def lookup_sources(self, sources: Iterable[str]) -> dict[str, tuple[str, str]]:
        return device_status.lookup_sources(self.conn, sources)

    def last_values(self, since: datetime) -> dict[tuple[str, str, str], float]:
        return events.last_values(self.conn, [s.value for s in STATEFUL], since)

    def housekeeping(self, now: datetime, pending_keep: timedelta) -> int:
        """The periodic pass: device health, dead letters past their short retention, and
        pending devices' events past `pending_keep`.

        Returns how many devices are silent.
        """
        dead_letters.drop_dead_letters_before(self.conn, now - DEAD_LETTER_RETENTION)
        device_messages.trim(self.conn, now - DEAD_LETTER_RETENTION)
        pending_events.drop_pending_events_before(self.conn, now - pending_keep)
        heartbeats.beat(self.conn, "ingest", now)  # the alerts monitor notices a stalled ingest
        return len(device_status.update_silence(self.conn, now))

    def write(self, batch: Batch, now: datetime) -> int:
        """Store everything in `batch` in one transaction; return the new event rows."""
        conn = self.conn
        with conn.transaction():
            stored = events.insert_events(conn, batch.events)
            device_status.upsert_status(
                conn,
                [
                    (
                        h,
                        d,
                        s.last_seen_at,
                        s.last_activity_at,
                        s.battery_pct,
                        s.link_quality,
                        s.available,
                    )
                    for (h, d), s in batch.status.items()
                ],
                now,
            )
            if batch.pending:
                device_status.record_pending(
                    conn,
                    [
                        (
                            src,
                            p.model,
                            p.first_seen_at,
                            p.last_seen_at,
                            p.messages,
                            p.last_topic,
                            p.last_payload,
                            p.suggested_kind,
                            p.suggested_room,
                        )
                        for src, p in batch.pending.items()
                    ],
                )
            if batch.bridges:
                device_status.record_bridges(conn, batch.bridges)
            pending_events.insert_pending_events(conn, batch.pending_events)
            dead_letters.insert_dead_letters(conn, batch.dead)
            device_messages.record(
                conn,
                [
                    (h, d, at, topic, payload_text(payload), outcome(batch, (h, d)))
                    for (h, d), (at, topic, payload, *_) in batch.recent.items()
                ],
            )
        return stored

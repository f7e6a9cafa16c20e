"""Messages ingest could not use: the reason and the head of the raw payload, kept for a short
time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]
DeadLetterRow = tuple[datetime, str, str, bytes]  # received_at, topic, reason, payload
# Enough to see what a device sent; more would let any publisher fill the disk.
PAYLOAD_KEEP_BYTES = 4096


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    received_at: datetime
    topic: str
    reason: str
    payload: bytes  # the first PAYLOAD_KEEP_BYTES
    payload_bytes: int  # the size received

    @property
    def truncated(self) -> bool:
        return self.payload_bytes > len(self.payload)


def insert_dead_letters(conn: Conn, rows: Sequence[DeadLetterRow]) -> None:
    if not rows:
        return
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY dead_letters (received_at, topic, reason, payload, payload_bytes) FROM STDIN"
        ) as copy,
    ):
        for received_at, topic, reason, payload in rows:
            kept = payload[:PAYLOAD_KEEP_BYTES]
            if len(kept) < len(payload):
                reason = f"{reason} (payload truncated to {len(kept)} of {len(payload)} bytes)"
            copy.write_row((received_at, topic, reason, kept, len(payload)))


def list_dead_letters(conn: Conn, limit: int = 100) -> list[DeadLetter]:
    with conn.cursor(row_factory=class_row(DeadLetter)) as cur:
        rows = cur.execute(
            "SELECT id, received_at, topic, reason, payload, payload_bytes FROM dead_letters"
            " ORDER BY received_at DESC, id DESC LIMIT %s",
            (limit,),
        ).fetchall()
    return [
        DeadLetter(r.id, r.received_at, r.topic, r.reason, bytes(r.payload), r.payload_bytes)
        for r in rows
    ]


def count_dead_letters(conn: Conn) -> int:
    row = conn.execute("SELECT count(*) FROM dead_letters").fetchone()
    return int(row[0]) if row else 0  # type: ignore[call-overload]


def drop_dead_letters_before(conn: Conn, before: datetime) -> int:
    """Short retention: raw payloads may hold personal data and are only for debugging."""
    return conn.execute("DELETE FROM dead_letters WHERE received_at < %s", (before,)).rowcount

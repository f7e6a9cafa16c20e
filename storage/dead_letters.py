"""Messages ingest could not use: the reason and the raw payload, kept for a short time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]
DeadLetterRow = tuple[datetime, str, str, bytes]  # received_at, topic, reason, payload


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: int
    received_at: datetime
    topic: str
    reason: str
    payload: bytes


def insert_dead_letters(conn: Conn, rows: Sequence[DeadLetterRow]) -> None:
    if not rows:
        return
    with (
        conn.cursor() as cur,
        cur.copy("COPY dead_letters (received_at, topic, reason, payload) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def list_dead_letters(conn: Conn, limit: int = 100) -> list[DeadLetter]:
    with conn.cursor(row_factory=class_row(DeadLetter)) as cur:
        rows = cur.execute(
            "SELECT id, received_at, topic, reason, payload FROM dead_letters"
            " ORDER BY received_at DESC, id DESC LIMIT %s",
            (limit,),
        ).fetchall()
    return [DeadLetter(r.id, r.received_at, r.topic, r.reason, bytes(r.payload)) for r in rows]


def count_dead_letters(conn: Conn) -> int:
    row = conn.execute("SELECT count(*) FROM dead_letters").fetchone()
    return int(row[0]) if row else 0  # type: ignore[call-overload]


def drop_dead_letters_before(conn: Conn, before: datetime) -> int:
    """Short retention: raw payloads may hold personal data and are only for debugging."""
    return conn.execute("DELETE FROM dead_letters WHERE received_at < %s", (before,)).rowcount

"""The last messages of each device and what ingest made of them (`veille devices explain`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]
# home_id, device_id, received_at, topic, payload, outcome
MessageRow = tuple[str, str, datetime, str, str, str]
KEPT_PER_DEVICE = 20


@dataclass(frozen=True, slots=True)
class DeviceMessage:
    received_at: datetime
    topic: str
    payload: str
    outcome: str


def record(conn: Conn, rows: Sequence[MessageRow]) -> None:
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    # One statement per batch; devices removed meanwhile are skipped, never an error.
    conn.execute(
        "INSERT INTO device_messages (home_id, device_id, received_at, topic, payload, outcome)"
        " SELECT m.* FROM unnest(%s::text[], %s::text[], %s::timestamptz[], %s::text[],"
        " %s::text[], %s::text[]) AS m(h, d, at, t, p, o)"
        " JOIN devices v ON v.home_id = m.h AND v.id = m.d",
        [list(c) for c in columns],
    )


def trim(conn: Conn, before: datetime) -> None:
    """Keep the newest `KEPT_PER_DEVICE` per device, none older than `before`."""
    conn.execute(
        "DELETE FROM device_messages WHERE received_at < %s OR id IN (SELECT id FROM"
        " (SELECT id, row_number() OVER (PARTITION BY home_id, device_id"
        "  ORDER BY received_at DESC, id DESC) AS n FROM device_messages) ranked"
        " WHERE n > %s)",
        (before, KEPT_PER_DEVICE),
    )


def recent(conn: Conn, home_id: str, device_id: str) -> list[DeviceMessage]:
    with conn.cursor(row_factory=class_row(DeviceMessage)) as cur:
        return cur.execute(
            "SELECT received_at, topic, payload, outcome FROM device_messages"
            " WHERE home_id = %s AND device_id = %s ORDER BY received_at DESC, id DESC LIMIT %s",
            (home_id, device_id, KEPT_PER_DEVICE),
        ).fetchall()


def dead_letters_on(conn: Conn, topics: Sequence[str], limit: int = 10) -> list[DeviceMessage]:
    """Dead letters on a device's topics: a message that failed names no device."""
    with conn.cursor(row_factory=class_row(DeviceMessage)) as cur:
        return cur.execute(
            "SELECT received_at, topic, encode(substring(payload for 2000), 'escape')"
            " AS payload, 'dead letter: ' || reason AS outcome FROM dead_letters"
            " WHERE topic = ANY(%s) ORDER BY received_at DESC LIMIT %s",
            (list(topics), limit),
        ).fetchall()

"""Events of pending (unassigned) devices: kept for a while, attached to a home on assignment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg

from storage.events import EVENT_COLUMNS

Conn = psycopg.Connection[tuple[object, ...]]
_COLUMNS = "source, at, signal, value, activity, received_at, detail, dedupe_key, clock_corrected"


def insert_pending_events(conn: Conn, rows: Sequence[tuple[object, ...]]) -> None:
    """`rows` as for `events.insert_events` with the source in place of the device id (the
    home id is ignored)."""
    if not rows:
        return
    with conn.cursor() as cur, cur.copy(f"COPY pending_events ({_COLUMNS}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((row[2], row[0], *row[3:10]))


def attach(conn: Conn, source: str, home_id: str, device_id: str) -> int:
    """Move `source`'s kept events into `events` as (home_id, device_id); return how many."""
    moved = conn.execute(
        f"INSERT INTO events ({EVENT_COLUMNS})"
        " SELECT at, %s, %s, signal, value, activity, received_at, detail, dedupe_key,"
        " clock_corrected FROM pending_events WHERE source = %s ON CONFLICT DO NOTHING",
        (home_id, device_id, source),
    ).rowcount
    conn.execute("DELETE FROM pending_events WHERE source = %s", (source,))
    return moved


def drop_pending_events_before(conn: Conn, before: datetime) -> int:
    return conn.execute("DELETE FROM pending_events WHERE received_at < %s", (before,)).rowcount

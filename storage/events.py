"""Writing events in bulk, idempotently, and reading back what ingest needs to restart.

Rows go by binary COPY into a per-connection temporary staging table, then into `events`
with one INSERT ... ON CONFLICT DO NOTHING: COPY itself cannot skip duplicates, and the
unique index (at, dedupe_key) is what makes a redelivered message harmless.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg

Conn = psycopg.Connection[tuple[object, ...]]

# Column and binary COPY type of every event field; staging adds `dup` (a redelivery flag).
_EVENT_FIELDS = (
    ("at", "timestamptz"),
    ("home_id", "text"),
    ("device_id", "text"),
    ("signal", "text"),
    ("value", "float8"),
    ("activity", "bool"),
    ("received_at", "timestamptz"),
    ("detail", "text"),
    ("dedupe_key", "int8"),
    ("clock_corrected", "bool"),
)
_STAGING_FIELDS = (*_EVENT_FIELDS, ("dup", "bool"))
EVENT_COLUMNS = ", ".join(name for name, _ in _EVENT_FIELDS)
_STAGING_TYPES = [kind for _, kind in _STAGING_FIELDS]
# How far back a redelivered (DUP) message timed by its receipt is looked for. Brokers keep
# unacknowledged messages across an ingest outage, so a day covers any realistic restart.
REDELIVERY_WINDOW = "1 day"


def prepare_staging(conn: Conn) -> None:
    """Create the session's staging table (emptied at every commit)."""
    columns = ", ".join(f"{name} {kind}" for name, kind in _STAGING_FIELDS)
    conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS staging_events ({columns}) ON COMMIT DELETE ROWS"
    )


def insert_events(conn: Conn, rows: Sequence[tuple[object, ...]]) -> int:
    """Store `rows` (columns as in `EVENT_COLUMNS` plus `dup`); return how many were new.

    Must run inside a transaction on a connection that ran `prepare_staging`.
    """
    if not rows:
        return 0
    with conn.cursor() as cur:
        with cur.copy(
            f"COPY staging_events ({EVENT_COLUMNS}, dup) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(_STAGING_TYPES)
            for row in rows:
                copy.write_row(row)
        # Redelivered (DUP) rows are checked against the events of their homes in the window
        # before them, gathered once per batch and hashed: a per-row lookup would cost a scan
        # of the home's day for every row.
        cur.execute(
            "WITH windows AS (SELECT home_id, min(at) - %s::interval AS lo, max(at) AS hi"
            "   FROM staging_events WHERE dup GROUP BY home_id),"
            " seen AS MATERIALIZED (SELECT e.home_id, e.dedupe_key FROM events e"
            "   JOIN windows w ON e.home_id = w.home_id AND e.at > w.lo AND e.at <= w.hi"
            "   WHERE e.dedupe_key IS NOT NULL)"
            f" INSERT INTO events ({EVENT_COLUMNS}) SELECT {EVENT_COLUMNS} FROM staging_events s"
            " WHERE NOT s.dup OR (s.home_id, s.dedupe_key) NOT IN (SELECT * FROM seen)"
            " ON CONFLICT DO NOTHING",
            (REDELIVERY_WINDOW,),
        )
        return cur.rowcount


def copy_events(conn: Conn, rows: Sequence[tuple[object, ...]]) -> None:
    """Bare binary COPY straight into `events` (no dedupe): the database's ceiling, for the
    benchmark, and bulk loads of data known to be new."""
    with (
        conn.cursor() as cur,
        cur.copy(f"COPY events ({EVENT_COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.set_types(_STAGING_TYPES[:-1])
        for row in rows:
            copy.write_row(row)


def last_values(
    conn: Conn, signals: Sequence[str], since: datetime
) -> dict[tuple[str, str, str], float]:
    """The latest value per (home, device, signal) since `since`: edge state after a restart."""
    rows = conn.execute(
        "SELECT DISTINCT ON (home_id, device_id, signal) home_id, device_id, signal, value"
        " FROM events WHERE at >= %s AND signal = ANY(%s)"
        " ORDER BY home_id, device_id, signal, at DESC",
        (since, list(signals)),
    ).fetchall()
    return {(str(h), str(d), str(s)): float(v) for h, d, s, v in rows}  # type: ignore[arg-type]


def count_events(conn: Conn, home_id: str | None = None) -> int:
    row = conn.execute(
        "SELECT count(*) FROM events WHERE %(h)s::text IS NULL OR home_id = %(h)s",
        {"h": home_id},
    ).fetchone()
    return int(row[0]) if row else 0  # type: ignore[call-overload]


def latest_event_at(conn: Conn, home_id: str) -> datetime | None:
    """Event time of the newest stored event of a home (None when it has none)."""
    row = conn.execute("SELECT max(at) FROM events WHERE home_id = %s", (home_id,)).fetchone()
    return row[0] if row and isinstance(row[0], datetime) else None

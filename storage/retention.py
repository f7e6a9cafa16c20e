"""Retention: each kind of data kept for its own time, then removed.

- raw events: `events_days` (whole chunks under TimescaleDB, batched deletes otherwise);
- hourly activity: `hourly_days`, longer, so trends outlive the raw events. Completed hours are
  rolled up before raw events go: into the continuous aggregate `events_hourly` under the
  Timescale licence, into `hourly_activity` elsewhere (TimescaleDB Apache, plain PostgreSQL);
- resolved incidents, with their timeline, messages and check-ins: `incidents_days` after
  they were resolved; digests (messages about no incident) likewise after they were written;
- the audit log (table `audit_log`, when present): `audit_days`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from storage import audit as audit_log
from storage import timescale

Conn = psycopg.Connection[tuple[object, ...]]

# Hours already rolled up are recomputed this far back, for events that arrived late.
ROLLUP_LOOKBACK = timedelta(days=3)
_CAGG = "events_hourly"


@dataclass(frozen=True, slots=True)
class Retention:
    events_days: int = 400
    hourly_days: int = 1825
    incidents_days: int = 730
    audit_days: int = 730


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one pass removed (chunks for TimescaleDB's `drop_chunks`, else rows)."""

    events: int
    hourly: int
    incidents: int
    digests: int
    audit: int


def apply_retention(conn: Conn, now: datetime, keep: Retention) -> Pruned:
    """One retention pass; `conn` in autocommit mode (TimescaleDB refreshes need it)."""
    roll_up(conn, now)
    events = timescale.drop_events_before(conn, now - timedelta(days=keep.events_days))
    hourly = _drop_hourly_before(conn, now - timedelta(days=keep.hourly_days))
    cutoff = now - timedelta(days=keep.incidents_days)
    incidents = conn.execute(
        "DELETE FROM incidents WHERE state IN ('resolved', 'closed')"
        " AND coalesce(resolved_at, updated_at) < %s",
        (cutoff,),
    ).rowcount
    digests = conn.execute(
        "DELETE FROM alert_outbox WHERE incident_id IS NULL AND created_at < %s", (cutoff,)
    ).rowcount
    audit = 0
    if _exists(conn, "audit_log"):
        with conn.transaction():
            audit_log.allow_purge(conn)
            audit = conn.execute(
                "DELETE FROM audit_log WHERE at < %s", (now - timedelta(days=keep.audit_days),)
            ).rowcount
    return Pruned(events, hourly, incidents, digests, audit)


def roll_up(conn: Conn, now: datetime) -> None:
    """Bring the hourly aggregates up to the last completed hour."""
    until = now.replace(minute=0, second=0, microsecond=0)
    if timescale.licence(conn) == "timescale":
        conn.execute(f"CALL refresh_continuous_aggregate('{_CAGG}', NULL, %s)", (until,))
        return
    row = conn.execute("SELECT max(hour) FROM hourly_activity").fetchone()
    latest = row[0] if row is not None and isinstance(row[0], datetime) else None
    conn.execute(
        "INSERT INTO hourly_activity (home_id, hour, activity_events, events)"
        " SELECT home_id, date_trunc('hour', at), count(*) FILTER (WHERE activity), count(*)"
        " FROM events WHERE at < %(until)s AND (%(since)s::timestamptz IS NULL OR at >= %(since)s)"
        " GROUP BY 1, 2 ON CONFLICT (home_id, hour) DO UPDATE"
        " SET activity_events = excluded.activity_events, events = excluded.events",
        {"until": until, "since": latest - ROLLUP_LOOKBACK if latest else None},
    )


def hourly_counts(
    conn: Conn, home_id: str, since: datetime, until: datetime
) -> list[tuple[datetime, int, int]]:
    """(hour, activity events, events) of a home, from wherever the aggregates live."""
    source = _CAGG if timescale.licence(conn) == "timescale" else "hourly_activity"
    rows = conn.execute(
        f"SELECT hour, activity_events, events FROM {source}"
        " WHERE home_id = %s AND hour >= %s AND hour < %s ORDER BY hour",
        (home_id, since, until),
    ).fetchall()
    return [(r[0], int(str(r[1])), int(str(r[2]))) for r in rows if isinstance(r[0], datetime)]


def _drop_hourly_before(conn: Conn, before: datetime) -> int:
    if timescale.licence(conn) == "timescale":
        return len(
            conn.execute(f"SELECT drop_chunks('{_CAGG}', older_than => %s)", (before,)).fetchall()
        )
    return conn.execute("DELETE FROM hourly_activity WHERE hour < %s", (before,)).rowcount


def _exists(conn: Conn, table: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (table,)).fetchone()
    return bool(row and row[0])

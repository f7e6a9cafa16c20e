"""Where each incident stands in its escalation policy, and its timeline.

Functions that take rows (``take_*``) lock them with ``FOR UPDATE SKIP LOCKED``: call them
inside a transaction and write the consequences (outbox messages, timeline, new stage) in
that same transaction, so two alerts workers never act on the same incident twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class Escalation:
    incident_id: int
    stage: str
    next_at: datetime | None
    started_at: datetime
    updated_at: datetime
    repeats: int


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    incident_id: int
    at: datetime
    contact_id: int | None
    event: str
    detail: str


_COLUMNS = "incident_id, stage, next_at, started_at, updated_at, repeats"


def take_new_incidents(conn: Conn, limit: int) -> list[int]:
    """Lock unresolved incidents that have no escalation yet (alerts has not seen them)."""
    rows = conn.execute(
        "SELECT i.id FROM incidents i WHERE i.state IN ('open', 'claimed', 'checkin')"
        " AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.incident_id = i.id)"
        " ORDER BY i.id LIMIT %s FOR UPDATE OF i SKIP LOCKED",
        (limit,),
    ).fetchall()
    return [int(str(r[0])) for r in rows]


def take_due(conn: Conn, now: datetime, limit: int) -> list[Escalation]:
    """Lock escalations whose timer fired, or whose incident was resolved meanwhile."""
    with conn.cursor(row_factory=class_row(Escalation)) as cur:
        return cur.execute(
            f"SELECT {', '.join('e.' + c.strip() for c in _COLUMNS.split(','))}"
            " FROM escalations e JOIN incidents i ON i.id = e.incident_id"
            " WHERE e.stage <> 'done' AND (e.next_at <= %s"
            " OR i.state NOT IN ('open', 'claimed', 'checkin'))"
            " ORDER BY e.next_at NULLS FIRST LIMIT %s FOR UPDATE OF e SKIP LOCKED",
            (now, limit),
        ).fetchall()


def lock_escalation(conn: Conn, incident_id: int) -> Escalation | None:
    """Lock one escalation, waiting for a worker that holds it (an action must not be lost)."""
    with conn.cursor(row_factory=class_row(Escalation)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM escalations WHERE incident_id = %s FOR UPDATE",
            (incident_id,),
        ).fetchone()


def start_escalation(
    conn: Conn, incident_id: int, stage: str, next_at: datetime | None, at: datetime
) -> None:
    conn.execute(
        "INSERT INTO escalations (incident_id, stage, next_at, started_at, updated_at)"
        " VALUES (%s, %s, %s, %s, %s)",
        (incident_id, stage, next_at, at, at),
    )


def set_escalation(
    conn: Conn, incident_id: int, stage: str, next_at: datetime | None, at: datetime, repeats: int
) -> None:
    conn.execute(
        "UPDATE escalations SET stage = %s, next_at = %s, updated_at = %s, repeats = %s"
        " WHERE incident_id = %s",
        (stage, next_at, at, repeats, incident_id),
    )


def get_escalation(conn: Conn, incident_id: int) -> Escalation | None:
    with conn.cursor(row_factory=class_row(Escalation)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM escalations WHERE incident_id = %s", (incident_id,)
        ).fetchone()


def add_timeline(
    conn: Conn,
    incident_id: int,
    at: datetime,
    event: str,
    detail: str = "",
    contact_id: int | None = None,
) -> None:
    conn.execute(
        "INSERT INTO incident_timeline (incident_id, at, contact_id, event, detail)"
        " VALUES (%s, %s, %s, %s, %s)",
        (incident_id, at, contact_id, event, detail),
    )


def list_timeline(conn: Conn, incident_id: int) -> list[TimelineEntry]:
    with conn.cursor(row_factory=class_row(TimelineEntry)) as cur:
        return cur.execute(
            "SELECT incident_id, at, contact_id, event, detail FROM incident_timeline"
            " WHERE incident_id = %s ORDER BY id",
            (incident_id,),
        ).fetchall()


def first_activity_after(conn: Conn, home_id: str, after: datetime) -> tuple[datetime, str] | None:
    """When and in which room activity was first seen after `after` (why it resolved)."""
    row = conn.execute(
        "SELECT e.at, COALESCE(d.room, 'other') FROM events e"
        " LEFT JOIN devices d ON d.home_id = e.home_id AND d.id = e.device_id"
        " WHERE e.home_id = %s AND e.activity AND e.at > %s ORDER BY e.at LIMIT 1",
        (home_id, after),
    ).fetchone()
    if row is None or not isinstance(row[0], datetime):
        return None
    return row[0], str(row[1])


def hasten(conn: Conn, incident_id: int) -> bool:
    """Make an unfinished escalation due at once: its start is in the past on any clock."""
    cur = conn.execute(
        "UPDATE escalations SET next_at = started_at WHERE incident_id = %s AND stage <> 'done'",
        (incident_id,),
    )
    return cur.rowcount == 1

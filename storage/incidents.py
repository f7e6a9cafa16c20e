"""Incidents: one row per episode of concern, from opening to closing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

Conn = psycopg.Connection[tuple[object, ...]]

OPEN_STATES = ("open", "claimed", "checkin")


@dataclass(frozen=True, slots=True)
class Incident:
    id: int
    home_id: str
    kind: str
    severity: str
    state: str
    opened_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    outcome: str | None
    explanation: str
    details: dict[str, Any]


_COLUMNS = (
    "id, home_id, kind, severity, state, opened_at, updated_at, resolved_at, outcome,"
    " explanation, details"
)


def open_incident(
    conn: Conn,
    home_id: str,
    kind: str,
    opened_at: datetime,
    explanation: str,
    severity: str = "warning",
    details: dict[str, Any] | None = None,
) -> int | None:
    """Open an incident; None when one of this kind is already open (one per episode)."""
    row = conn.execute(
        "INSERT INTO incidents (home_id, kind, severity, opened_at, updated_at, explanation,"
        " details) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (home_id, kind) WHERE state IN ('open', 'claimed', 'checkin')"
        " DO NOTHING RETURNING id",
        (home_id, kind, severity, opened_at, opened_at, explanation, Jsonb(details or {})),
    ).fetchone()
    return None if row is None else int(str(row[0]))


def resolve_incident(conn: Conn, incident_id: int, at: datetime, outcome: str) -> bool:
    """Resolve an unresolved incident; False when it was already resolved (a lost race)."""
    cur = conn.execute(
        "UPDATE incidents SET state = 'resolved', outcome = %s, resolved_at = %s,"
        " updated_at = %s WHERE id = %s AND state IN ('open', 'claimed', 'checkin')",
        (outcome, at, at, incident_id),
    )
    return cur.rowcount == 1


def get_incident(conn: Conn, incident_id: int) -> Incident | None:
    with conn.cursor(row_factory=class_row(Incident)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM incidents WHERE id = %s", (incident_id,)
        ).fetchone()


def list_incidents(
    conn: Conn, home_id: str | None = None, only_open: bool = False, limit: int = 100
) -> list[Incident]:
    with conn.cursor(row_factory=class_row(Incident)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM incidents"
            " WHERE (%(h)s::text IS NULL OR home_id = %(h)s)"
            " AND (NOT %(o)s OR state IN ('open', 'claimed', 'checkin'))"
            " ORDER BY opened_at DESC, id DESC LIMIT %(n)s",
            {"h": home_id, "o": only_open, "n": limit},
        ).fetchall()


def resolve_incident_with(
    conn: Conn, incident_id: int, at: datetime, outcome: str, resolution: str
) -> bool:
    """Resolve and keep a sentence saying why (e.g. "Movement in the kitchen at 10:42"),
    stored as ``details['resolution']`` for the people who are told it is over."""
    cur = conn.execute(
        "UPDATE incidents SET state = 'resolved', outcome = %s, resolved_at = %s,"
        " updated_at = %s, details = details || jsonb_build_object('resolution', %s::text)"
        " WHERE id = %s AND state IN ('open', 'claimed', 'checkin')",
        (outcome, at, at, resolution, incident_id),
    )
    return cur.rowcount == 1

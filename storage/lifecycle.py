"""Incident state changes made by people and by time: claim, check-in, close.

open -> claimed -> checkin -> resolved (storage.incidents) -> closed. A check-in may start
from open as well (a volunteer accepted before any family member claimed).
"""

from __future__ import annotations

from datetime import datetime

import psycopg

Conn = psycopg.Connection[tuple[object, ...]]


def claim_incident(conn: Conn, incident_id: int, contact_id: int, at: datetime) -> bool:
    """Mark an open incident as handled by `contact_id`; False if it is not open any more."""
    cur = conn.execute(
        "UPDATE incidents SET state = 'claimed', claimed_by = %s, claimed_at = %s,"
        " updated_at = %s WHERE id = %s AND state = 'open'",
        (contact_id, at, at, incident_id),
    )
    return cur.rowcount == 1


def claimed_by(conn: Conn, incident_id: int) -> int | None:
    row = conn.execute("SELECT claimed_by FROM incidents WHERE id = %s", (incident_id,)).fetchone()
    return None if row is None or row[0] is None else int(str(row[0]))


def start_checkin(conn: Conn, incident_id: int, at: datetime) -> bool:
    cur = conn.execute(
        "UPDATE incidents SET state = 'checkin', updated_at = %s"
        " WHERE id = %s AND state IN ('open', 'claimed')",
        (at, incident_id),
    )
    return cur.rowcount == 1


def close_resolved(conn: Conn, resolved_before: datetime, at: datetime) -> list[int]:
    """Close incidents resolved before `resolved_before`; return their ids."""
    rows = conn.execute(
        "UPDATE incidents SET state = 'closed', updated_at = %s"
        " WHERE state = 'resolved' AND resolved_at <= %s RETURNING id",
        (at, resolved_before),
    ).fetchall()
    return [int(str(r[0])) for r in rows]

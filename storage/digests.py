"""What the daily "all is well" digest is made of, and which digests were already sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class Activity:
    at: datetime
    room: str
    role: str


def activity_between(conn: Conn, home_id: str, start: datetime, end: datetime) -> list[Activity]:
    """Activity events of a home in [start, end), with their device's room and role."""
    with conn.cursor(row_factory=class_row(Activity)) as cur:
        return cur.execute(
            "SELECT e.at, COALESCE(d.room, 'other') AS room, COALESCE(d.role, '') AS role"
            " FROM events e LEFT JOIN devices d ON d.home_id = e.home_id AND d.id = e.device_id"
            " WHERE e.home_id = %s AND e.activity AND e.at >= %s AND e.at < %s ORDER BY e.at",
            (home_id, start, end),
        ).fetchall()


def low_batteries(conn: Conn, home_id: str, below_pct: float) -> list[tuple[str, float]]:
    rows = conn.execute(
        "SELECT device_id, battery_pct FROM device_status"
        " WHERE home_id = %s AND battery_pct < %s ORDER BY battery_pct, device_id",
        (home_id, below_pct),
    ).fetchall()
    return [(str(r[0]), float(str(r[1]))) for r in rows]


def claim_digest(conn: Conn, contact_id: int, day: date) -> bool:
    """Reserve the digest of `day` for a contact; False when it was already sent."""
    cur = conn.execute(
        "INSERT INTO digests_sent (contact_id, day) VALUES (%s, %s) ON CONFLICT DO NOTHING",
        (contact_id, day),
    )
    return cur.rowcount == 1


def record_digest_message(conn: Conn, contact_id: int, day: date, message_id: int) -> None:
    conn.execute(
        "UPDATE digests_sent SET message_id = %s WHERE contact_id = %s AND day = %s",
        (message_id, contact_id, day),
    )

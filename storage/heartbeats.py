"""Signs of life from Veille's own services, and the alarms raised when they stop.

Each long-running service calls `beat` now and then (at most every few seconds is plenty);
the alerts monitor compares the beats with the wall clock.
"""

from __future__ import annotations

from datetime import datetime

import psycopg

Conn = psycopg.Connection[tuple[object, ...]]


def beat(conn: Conn, service: str, at: datetime, detail: str = "") -> None:
    conn.execute(
        "INSERT INTO heartbeats (service, at, detail) VALUES (%s, %s, %s)"
        " ON CONFLICT (service) DO UPDATE SET at = EXCLUDED.at, detail = EXCLUDED.detail",
        (service, at, detail),
    )


def last_beats(conn: Conn) -> dict[str, datetime]:
    return {
        str(r[0]): r[1]
        for r in conn.execute("SELECT service, at FROM heartbeats").fetchall()
        if isinstance(r[1], datetime)
    }


def last_device_seen(conn: Conn) -> tuple[int, datetime | None]:
    """How many devices are registered, and when ingest last heard any of them: by ingest's
    clock, not the devices' (a device whose clock is hours late, or a replay of the past, is
    still being heard)."""
    row = conn.execute("SELECT count(*), max(received_at) FROM device_status").fetchone()
    if row is None:
        return 0, None
    return int(str(row[0])), row[1] if isinstance(row[1], datetime) else None


def unseen_incident_since(conn: Conn) -> datetime | None:
    """Opening time of the oldest unresolved incident alerts has not started on."""
    row = conn.execute(
        "SELECT min(i.opened_at) FROM incidents i WHERE i.state IN ('open', 'claimed', 'checkin')"
        " AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.incident_id = i.id)"
    ).fetchone()
    return row[0] if row is not None and isinstance(row[0], datetime) else None


def raised_alarms(conn: Conn) -> dict[str, str]:
    return {
        str(r[0]): str(r[1])
        for r in conn.execute("SELECT name, detail FROM monitor_alarms").fetchall()
    }


def raise_alarm(conn: Conn, name: str, at: datetime, detail: str) -> None:
    conn.execute(
        "INSERT INTO monitor_alarms (name, raised_at, detail) VALUES (%s, %s, %s)"
        " ON CONFLICT (name) DO NOTHING",
        (name, at, detail),
    )


def clear_alarm(conn: Conn, name: str) -> None:
    conn.execute("DELETE FROM monitor_alarms WHERE name = %s", (name,))

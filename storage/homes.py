"""Homes, rooms and devices: who lives where and what each sensor is for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import psycopg
from psycopg.rows import class_row

from devices.signals import DeviceKind, Role, Room
from storage import pending_events

Conn = psycopg.Connection[tuple[object, ...]]


class UnknownTimeZoneError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Home:
    id: str
    name: str
    timezone: str
    sensitivity: float
    away_until: datetime | None


@dataclass(frozen=True, slots=True)
class Device:
    home_id: str
    id: str
    kind: str
    room: str
    role: str
    source: str | None
    model: str


def upsert_home(conn: Conn, home_id: str, timezone: str, name: str = "") -> None:
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZoneError(f"not an IANA time zone: {timezone!r}") from None
    conn.execute(
        "INSERT INTO homes (id, name, timezone) VALUES (%s, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, timezone = EXCLUDED.timezone",
        (home_id, name, timezone),
    )


def upsert_device(
    conn: Conn,
    home_id: str,
    device_id: str,
    kind: DeviceKind,
    room: Room,
    role: Role = Role.NONE,
    source: str | None = None,
    model: str = "",
) -> None:
    conn.execute(
        "INSERT INTO rooms (home_id, name, kind) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
        (home_id, room.value, room.value),
    )
    conn.execute(
        "INSERT INTO devices (home_id, id, kind, room, role, source, model)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (home_id, id) DO UPDATE SET kind = EXCLUDED.kind, room = EXCLUDED.room,"
        " role = EXCLUDED.role, source = COALESCE(EXCLUDED.source, devices.source),"
        " model = EXCLUDED.model",
        (home_id, device_id, kind.value, room.value, role.value, source, model),
    )
    if source is not None:  # an assigned source is no longer pending; its events are kept
        conn.execute("DELETE FROM pending_devices WHERE source = %s", (source,))
        pending_events.attach(conn, source, home_id, device_id)


def list_homes(conn: Conn) -> list[Home]:
    with conn.cursor(row_factory=class_row(Home)) as cur:
        return cur.execute(
            "SELECT id, name, timezone, sensitivity, away_until FROM homes ORDER BY id"
        ).fetchall()


def get_home(conn: Conn, home_id: str) -> Home | None:
    with conn.cursor(row_factory=class_row(Home)) as cur:
        return cur.execute(
            "SELECT id, name, timezone, sensitivity, away_until FROM homes WHERE id = %s",
            (home_id,),
        ).fetchone()


def list_devices(conn: Conn, home_id: str | None = None) -> list[Device]:
    with conn.cursor(row_factory=class_row(Device)) as cur:
        return cur.execute(
            "SELECT home_id, id, kind, room, role, source, model FROM devices"
            " WHERE %(h)s::text IS NULL OR home_id = %(h)s ORDER BY home_id, id",
            {"h": home_id},
        ).fetchall()


def set_away(conn: Conn, home_id: str, until: datetime | None) -> bool:
    """Declare a holiday (inactivity rules pause until `until`), or end it with None."""
    cur = conn.execute("UPDATE homes SET away_until = %s WHERE id = %s", (until, home_id))
    return cur.rowcount == 1

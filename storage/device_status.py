"""Device registry lookups, liveness (`device_status`), pending devices and bridge states:
everything ingest writes besides the events themselves."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import psycopg
from psycopg.rows import args_row, class_row

from devices.health import DeviceHealth, Silence, bridge_of, classify
from devices.signals import DeviceKind, Role

Conn = psycopg.Connection[tuple[object, ...]]
DeviceKey = tuple[str, str]
# home_id, device_id, last_seen_at, last_activity_at, battery_pct, link_quality, available
StatusRow = tuple[
    str, str, datetime | None, datetime | None, float | None, float | None, bool | None
]
# source, model, first_seen_at, last_seen_at, messages, last_topic, last_payload,
# suggested_kind, suggested_room
PendingRow = tuple[str, str, datetime, datetime, int, str, str, str, str]

# A device registered without a `source` is known by its native identity.
_SOURCE = "COALESCE(source, 'native:' || home_id || '/' || id)"


def registry(conn: Conn) -> dict[str, DeviceKey]:
    """Every registered device by the source it publishes as."""
    rows = conn.execute(f"SELECT {_SOURCE}, home_id, id FROM devices").fetchall()
    return {str(s): (str(h), str(d)) for s, h, d in rows}


def find_device(conn: Conn, name: str) -> tuple[str, str, str] | None:
    """(home_id, device_id, source) of the device named HOME/DEVICE or by its source."""
    row = conn.execute(
        f"SELECT home_id, id, {_SOURCE} FROM devices WHERE source = %s"
        " OR home_id || '/' || id = %s LIMIT 1",
        (name, name),
    ).fetchone()
    return (str(row[0]), str(row[1]), str(row[2])) if row else None


def wiring(conn: Conn) -> dict[DeviceKey, tuple[DeviceKind, Role]]:
    """Every registered device's kind and role: what its generic inputs mean."""
    rows = conn.execute("SELECT home_id, id, kind, role FROM devices").fetchall()
    return {
        (str(h), str(d)): (
            _enum(DeviceKind, str(k), DeviceKind.OTHER),
            _enum(Role, str(r), Role.NONE),
        )
        for h, d, k, r in rows
    }


E = TypeVar("E", DeviceKind, Role)


def _enum(enum: type[E], value: str, default: E) -> E:
    """A stored kind or role; one this version does not know reads as the default."""
    try:
        return enum(value)
    except ValueError:
        return default


def lookup_sources(conn: Conn, sources: Iterable[str]) -> dict[str, DeviceKey]:
    """The registered devices among `sources` (sources not registered are absent)."""
    wanted = list(sources)
    natives = [s.removeprefix("native:").split("/", 1) for s in wanted if s.startswith("native:")]
    rows = conn.execute(
        f"SELECT {_SOURCE}, home_id, id FROM devices WHERE source = ANY(%s)"
        " OR (source IS NULL AND (home_id, id) IN"
        "     (SELECT * FROM unnest(%s::text[], %s::text[])))",
        (wanted, [n[0] for n in natives], [n[-1] for n in natives]),
    ).fetchall()
    return {str(s): (str(h), str(d)) for s, h, d in rows}


def prepare_staging(conn: Conn) -> None:
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS staging_status ("
        " home_id text, device_id text, last_seen_at timestamptz, last_activity_at timestamptz,"
        " battery_pct float4, link_quality float4, available bool) ON COMMIT DELETE ROWS"
    )


def upsert_status(conn: Conn, rows: Sequence[StatusRow], now: datetime) -> None:
    """Merge what a batch learned; devices removed meanwhile are skipped, never an error."""
    if not rows:
        return
    with conn.cursor() as cur:
        with cur.copy("COPY staging_status FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(
                ["text", "text", "timestamptz", "timestamptz", "float4", "float4", "bool"]
            )
            for row in rows:
                copy.write_row(row)
        # ORDER BY: two ingest workers lock rows in the same order, so they cannot deadlock.
        cur.execute(
            "INSERT INTO device_status AS d (home_id, device_id, last_seen_at, last_activity_at,"
            " battery_pct, link_quality, available, updated_at, received_at)"
            " SELECT s.home_id, s.device_id, s.last_seen_at, s.last_activity_at, s.battery_pct,"
            "  s.link_quality, s.available, %s, %s FROM staging_status s"
            " JOIN devices v ON v.home_id = s.home_id AND v.id = s.device_id"
            " ORDER BY s.home_id, s.device_id"
            " ON CONFLICT (home_id, device_id) DO UPDATE SET"
            "  last_seen_at = GREATEST(d.last_seen_at, EXCLUDED.last_seen_at),"
            "  last_activity_at = GREATEST(d.last_activity_at, EXCLUDED.last_activity_at),"
            "  battery_pct = COALESCE(EXCLUDED.battery_pct, d.battery_pct),"
            "  link_quality = COALESCE(EXCLUDED.link_quality, d.link_quality),"
            "  available = COALESCE(EXCLUDED.available, d.available),"
            "  updated_at = EXCLUDED.updated_at, received_at = EXCLUDED.received_at",
            (now, now),
        )


def record_pending(conn: Conn, rows: Sequence[PendingRow]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO pending_devices AS p (source, model, first_seen_at, last_seen_at,"
            " messages, last_topic, last_payload, suggested_kind, suggested_room)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (source) DO UPDATE SET"
            "  model = COALESCE(NULLIF(EXCLUDED.model, ''), p.model),"
            "  suggested_kind = COALESCE(NULLIF(EXCLUDED.suggested_kind, ''), p.suggested_kind),"
            "  suggested_room = COALESCE(NULLIF(EXCLUDED.suggested_room, ''), p.suggested_room),"
            "  last_seen_at = GREATEST(p.last_seen_at, EXCLUDED.last_seen_at),"
            "  messages = p.messages + EXCLUDED.messages,"
            "  last_topic = EXCLUDED.last_topic, last_payload = EXCLUDED.last_payload",
            sorted(rows),
        )


def record_bridges(conn: Conn, states: dict[str, tuple[str, datetime]]) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO bridges (source, state, updated_at) VALUES (%s, %s, %s)"
            " ON CONFLICT (source) DO UPDATE SET state = EXCLUDED.state,"
            " updated_at = EXCLUDED.updated_at WHERE bridges.updated_at <= EXCLUDED.updated_at",
            sorted((s, state, at) for s, (state, at) in states.items()),
        )


def update_silence(conn: Conn, now: datetime) -> dict[tuple[str, str], Silence]:
    """Classify every device's silence (devices.health) and store it in device_status.silence.

    Ingest runs this periodically; analytics may call it before deciding that a quiet home
    is a person in trouble. Returns the silence of every device that has one.
    """
    with conn.cursor(row_factory=args_row(_health)) as cur:
        devices = cur.execute(
            "SELECT d.home_id, d.id, d.kind, d.source, d.created_at, s.last_seen_at,"
            " s.last_activity_at, s.battery_pct, s.available FROM devices d"
            " LEFT JOIN device_status s ON s.home_id = d.home_id AND s.device_id = d.id"
        ).fetchall()
    offline = {
        str(r[0]) for r in conn.execute("SELECT source FROM bridges WHERE state = 'offline'")
    }
    silence = classify(devices, offline, now)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO device_status (home_id, device_id, silence, updated_at)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT (home_id, device_id) DO UPDATE"
            " SET silence = EXCLUDED.silence, updated_at = EXCLUDED.updated_at"
            " WHERE device_status.silence <> EXCLUDED.silence",
            [(h, d, s.value, now) for (h, d), s in sorted(silence.items())],
        )
    return {k: s for k, s in silence.items() if s is not Silence.NONE}


def _health(
    home_id: str,
    device_id: str,
    kind: str,
    source: str | None,
    registered_at: datetime,
    last_seen_at: datetime | None,
    last_activity_at: datetime | None,
    battery_pct: float | None,
    available: bool | None,
) -> DeviceHealth:
    return DeviceHealth(
        home_id,
        device_id,
        _enum(DeviceKind, kind, DeviceKind.OTHER),
        bridge_of(source),
        registered_at,
        last_seen_at,
        last_activity_at,
        battery_pct,
        available,
    )


@dataclass(frozen=True, slots=True)
class PendingDevice:
    source: str
    model: str
    first_seen_at: datetime
    last_seen_at: datetime
    messages: int
    last_topic: str
    last_payload: str
    suggested_kind: str = ""
    suggested_room: str = ""


@dataclass(frozen=True, slots=True)
class DeviceState:
    home_id: str
    device_id: str
    kind: str
    room: str
    role: str
    source: str | None
    last_seen_at: datetime | None
    last_activity_at: datetime | None
    battery_pct: float | None
    available: bool | None
    silence: str


def list_pending(conn: Conn) -> list[PendingDevice]:
    with conn.cursor(row_factory=class_row(PendingDevice)) as cur:
        return cur.execute(
            "SELECT source, model, first_seen_at, last_seen_at, messages, last_topic,"
            " last_payload, suggested_kind, suggested_room FROM pending_devices"
            " ORDER BY last_seen_at DESC"
        ).fetchall()


def list_states(conn: Conn, home_id: str | None = None) -> list[DeviceState]:
    with conn.cursor(row_factory=class_row(DeviceState)) as cur:
        return cur.execute(
            "SELECT d.home_id, d.id AS device_id, d.kind, d.room, d.role, d.source,"
            " s.last_seen_at, s.last_activity_at, s.battery_pct, s.available,"
            " COALESCE(s.silence, '') AS silence FROM devices d"
            " LEFT JOIN device_status s ON s.home_id = d.home_id AND s.device_id = d.id"
            " WHERE %(h)s::text IS NULL OR d.home_id = %(h)s ORDER BY d.home_id, d.id",
            {"h": home_id},
        ).fetchall()


def pending_model(conn: Conn, source: str) -> str | None:
    row = conn.execute("SELECT model FROM pending_devices WHERE source = %s", (source,)).fetchone()
    return str(row[0]) if row else None


def remove_device(conn: Conn, home_id: str, device_id: str) -> bool:
    """Forget a device (its status goes with it; its past events stay)."""
    cur = conn.execute("DELETE FROM devices WHERE home_id = %s AND id = %s", (home_id, device_id))
    return cur.rowcount > 0


def drop_pending(conn: Conn, source: str) -> bool:
    return conn.execute("DELETE FROM pending_devices WHERE source = %s", (source,)).rowcount > 0

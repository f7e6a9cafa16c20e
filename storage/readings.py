"""What the detector reads and keeps: new events by receipt time, home settings, device
health, routine models, applied feedback and daily features."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

Conn = psycopg.Connection[tuple[object, ...]]

# Signals the detector needs besides activity: comfort and emergencies.
EXTRA_SIGNALS = ("temperature_c", "panic")
# Events are re-read this far behind the cursor: a batch committed late (its received_at
# is earlier than rows already seen) is still picked up; readers drop the duplicates.
OVERLAP = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class EventRow:
    at: datetime
    home_id: str
    device_id: str
    signal: str
    value: float
    activity: bool
    received_at: datetime


@dataclass(frozen=True, slots=True)
class HomeSettings:
    id: str
    timezone: str
    sensitivity: float
    away_until: datetime | None


@dataclass(frozen=True, slots=True)
class DeviceRow:
    home_id: str
    device_id: str
    kind: str
    room: str
    role: str
    last_seen_at: datetime | None
    last_activity_at: datetime | None
    battery_pct: float | None
    available: bool | None
    silence: str


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    incident_id: int
    home_id: str
    kind: str
    outcome: str
    opened_at: datetime
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ModelRow:
    home_id: str
    model: bytes
    learned_until: datetime


@dataclass(frozen=True, slots=True)
class DayFeatures:
    day: date
    features: dict[str, float]


def read_events(conn: Conn, after: datetime, limit: int = 50_000) -> list[EventRow]:
    """Activity, temperature and panic events received after `after - OVERLAP`."""
    with conn.cursor(row_factory=class_row(EventRow)) as cur:
        return cur.execute(
            "SELECT at, home_id, device_id, signal, value, activity, received_at FROM events"
            " WHERE received_at > %(after)s AND (activity OR signal = ANY(%(extra)s))"
            " ORDER BY received_at, at LIMIT %(limit)s",
            {"after": after - OVERLAP, "extra": list(EXTRA_SIGNALS), "limit": limit},
        ).fetchall()


@dataclass(frozen=True, slots=True)
class IncidentMark:
    """When an incident of a kind opened, to put it back in a replayed present in order."""

    kind: str
    opened_at: datetime


def incident_marks(conn: Conn, home_id: str, since: datetime) -> list[IncidentMark]:
    """A home's incidents still open, and those opened since `since`, oldest first."""
    with conn.cursor(row_factory=class_row(IncidentMark)) as cur:
        return cur.execute(
            "SELECT kind, opened_at FROM incidents WHERE home_id = %s"
            " AND (opened_at >= %s OR state IN ('open', 'claimed', 'checkin'))"
            " ORDER BY opened_at, id",
            (home_id, since),
        ).fetchall()


def read_recent_events(conn: Conn, home_id: str, since: datetime) -> list[EventRow]:
    """A home's events since `since` in event-time order (to rebuild state at start)."""
    with conn.cursor(row_factory=class_row(EventRow)) as cur:
        return cur.execute(
            "SELECT at, home_id, device_id, signal, value, activity, received_at FROM events"
            " WHERE home_id = %s AND at >= %s AND (activity OR signal = ANY(%s))"
            " ORDER BY at",
            (home_id, since, list(EXTRA_SIGNALS)),
        ).fetchall()


def list_home_settings(conn: Conn) -> list[HomeSettings]:
    with conn.cursor(row_factory=class_row(HomeSettings)) as cur:
        return cur.execute(
            "SELECT id, timezone, sensitivity, away_until FROM homes ORDER BY id"
        ).fetchall()


def list_device_rows(conn: Conn) -> list[DeviceRow]:
    """Every home's devices with their last known status."""
    with conn.cursor(row_factory=class_row(DeviceRow)) as cur:
        return cur.execute(
            "SELECT d.home_id, d.id AS device_id, d.kind, d.room, d.role, s.last_seen_at,"
            " s.last_activity_at, s.battery_pct, s.available, COALESCE(s.silence, '') AS silence"
            " FROM devices d LEFT JOIN device_status s"
            " ON s.home_id = d.home_id AND s.device_id = d.id ORDER BY d.home_id, d.id"
        ).fetchall()


def save_model(conn: Conn, home_id: str, model: bytes, learned_until: datetime) -> None:
    conn.execute(
        "INSERT INTO routine_models (home_id, model, learned_until, updated_at)"
        " VALUES (%s, %s, %s, now()) ON CONFLICT (home_id) DO UPDATE SET"
        " model = EXCLUDED.model, learned_until = EXCLUDED.learned_until, updated_at = now()",
        (home_id, model, learned_until),
    )


def load_models(conn: Conn) -> list[ModelRow]:
    with conn.cursor(row_factory=class_row(ModelRow)) as cur:
        return cur.execute("SELECT home_id, model, learned_until FROM routine_models").fetchall()


def open_incident_ids(conn: Conn) -> dict[tuple[str, str], int]:
    """(home, kind) -> id of every unresolved incident."""
    rows = conn.execute(
        "SELECT home_id, kind, id FROM incidents WHERE state IN ('open', 'claimed', 'checkin')"
    ).fetchall()
    return {(str(r[0]), str(r[1])): int(str(r[2])) for r in rows}


def pending_feedback(conn: Conn) -> list[FeedbackRow]:
    """Resolved incidents with a person's verdict the model has not yet taken into account."""
    with conn.cursor(row_factory=class_row(FeedbackRow)) as cur:
        return cur.execute(
            "SELECT i.id AS incident_id, i.home_id, i.kind, i.outcome, i.opened_at, i.details"
            " FROM incidents i LEFT JOIN incident_feedback f ON f.incident_id = i.id"
            " WHERE f.incident_id IS NULL AND i.outcome IS NOT NULL"
            " AND i.outcome <> 'auto_resolved' ORDER BY i.id"
        ).fetchall()


def mark_feedback_applied(conn: Conn, row: FeedbackRow, at: datetime) -> None:
    conn.execute(
        "INSERT INTO incident_feedback (incident_id, home_id, outcome, applied_at)"
        " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
        (row.incident_id, row.home_id, row.outcome, at),
    )


def save_daily_features(conn: Conn, home_id: str, day: date, features: dict[str, float]) -> None:
    conn.execute(
        "INSERT INTO daily_features (home_id, day, features) VALUES (%s, %s, %s)"
        " ON CONFLICT (home_id, day) DO UPDATE SET features = EXCLUDED.features",
        (home_id, day, Jsonb(features)),
    )


def list_daily_features(conn: Conn, home_id: str, since: date) -> list[DayFeatures]:
    with conn.cursor(row_factory=class_row(DayFeatures)) as cur:
        return cur.execute(
            "SELECT day, features FROM daily_features WHERE home_id = %s AND day >= %s"
            " ORDER BY day",
            (home_id, since),
        ).fetchall()


def add_incident_details(conn: Conn, incident_id: int, details: dict[str, Any]) -> None:
    """Merge keys into an incident's details (e.g. what ended an inactivity episode)."""
    conn.execute(
        "UPDATE incidents SET details = details || %s WHERE id = %s", (Jsonb(details), incident_id)
    )

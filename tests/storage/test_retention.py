"""Retention on both servers: raw events go first, hourly aggregates outlive them, resolved
incidents and digests go after their own time, open incidents never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from storage import homes, incidents, outbox
from storage.retention import Retention, apply_retention, hourly_counts

pytestmark = pytest.mark.timescale
Conn = psycopg.Connection[tuple[object, ...]]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KEEP = Retention(events_days=30, hourly_days=90, incidents_days=60, audit_days=60)


def _events(conn: Conn, days_ago: int, per_hour: int = 3) -> datetime:
    """`per_hour` activity events (and one non-activity) in one hour, `days_ago` days back."""
    hour = (NOW - timedelta(days=days_ago)).replace(minute=0)
    conn.execute(
        "INSERT INTO events (at, home_id, device_id, signal, value, activity)"
        " SELECT %s + n * INTERVAL '1 minute', 'h1', 'pir', 'occupancy', 1, n > 0"
        " FROM generate_series(0, %s) AS n",
        (hour, per_hour),
    )
    return hour


def _resolved(conn: Conn, days_ago: int, kind: str) -> int:
    at = NOW - timedelta(days=days_ago)
    opened = incidents.open_incident(conn, "h1", kind, at, "quiet")
    assert opened is not None
    incidents.resolve_incident_with(conn, opened, at + timedelta(hours=1), "fine", "ok")
    return opened


def test_raw_events_go_after_their_days_while_hourly_counts_stay(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/Paris", "Mamie")
        old, recent, ancient = _events(conn, 45), _events(conn, 2), _events(conn, 120)

        pruned = apply_retention(conn, NOW, KEEP)

        assert pruned.events >= 1
        left = conn.execute("SELECT min(at) FROM events").fetchone()
        assert left is not None
        assert left[0] >= NOW - timedelta(days=KEEP.events_days)
        counts = hourly_counts(conn, "h1", NOW - timedelta(days=365), NOW)
        # The 45-day-old hour lives on as an aggregate; the 120-day-old one is past 90 days.
        assert counts == [(old, 3, 4), (recent, 3, 4)]
        assert ancient not in [c[0] for c in counts]
        # A second pass finds nothing more to do and keeps the aggregates.
        again = apply_retention(conn, NOW, KEEP)
        assert (again.events, again.incidents) == (0, 0)
        assert hourly_counts(conn, "h1", NOW - timedelta(days=365), NOW) == counts


def test_resolved_incidents_and_digests_go_after_their_own_days(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/Paris", "Mamie")
        old = _resolved(conn, 70, "inactivity")
        kept = _resolved(conn, 20, "bathroom")
        still_open = incidents.open_incident(
            conn, "h1", "not_up", NOW - timedelta(days=100), "not up"
        )
        digest = outbox.NewMessage(None, None, "digest", ["gAAAAA-sealed"], "t", "b", "info")
        outbox.enqueue(conn, [digest], NOW - timedelta(days=61))
        outbox.enqueue(conn, [digest], NOW - timedelta(days=1))

        pruned = apply_retention(conn, NOW, KEEP)

        assert (pruned.incidents, pruned.digests) == (1, 1)
        assert incidents.get_incident(conn, old) is None
        assert incidents.get_incident(conn, kept) is not None
        assert still_open is not None
        assert incidents.get_incident(conn, still_open) is not None  # never while open
        row = conn.execute("SELECT count(*) FROM alert_outbox WHERE incident_id IS NULL")
        assert row.fetchone() == (1,)


def test_the_audit_log_when_present_goes_after_its_own_days(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO audit_log (at, user_email, action)"
            " VALUES (%s, 'a@x', 'GET'), (%s, 'a@x', 'GET')",
            (NOW - timedelta(days=61), NOW - timedelta(days=59)),
        )

        assert apply_retention(conn, NOW, KEEP).audit == 1
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone() == (1,)

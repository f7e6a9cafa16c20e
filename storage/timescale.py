"""TimescaleDB, when the server has it: the events hypertable and what the licence allows.

Under the Apache licence TimescaleDB offers hypertables, ``time_bucket`` and ``drop_chunks``;
compression, retention policies and continuous aggregates need the Timescale licence. Each
step is recorded in ``schema_migrations`` so it runs once per database.
"""

from __future__ import annotations

from datetime import datetime

import psycopg

CHUNK_INTERVAL = "1 day"
COMPRESS_AFTER = "7 days"


def preloaded(conn: psycopg.Connection[tuple[object, ...]]) -> bool:
    row = conn.execute("SELECT current_setting('shared_preload_libraries', true)").fetchone()
    return row is not None and "timescaledb" in str(row[0] or "")


def licence(conn: psycopg.Connection[tuple[object, ...]]) -> str | None:
    """'apache' or 'timescale' when the extension is installed in this database, else None."""
    row = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'").fetchone()
    if row is None:
        return None
    value = conn.execute("SHOW timescaledb.license").fetchone()
    return str(value[0]) if value else None


def setup(conn: psycopg.Connection[tuple[object, ...]], done: set[str]) -> list[str]:
    """Apply the TimescaleDB steps not yet in `done`; `conn` must be in autocommit mode."""
    if not preloaded(conn):
        return []
    steps: list[tuple[str, list[str]]] = [
        (
            "timescale_hypertable",
            [
                "CREATE EXTENSION IF NOT EXISTS timescaledb",
                "SELECT create_hypertable('events', 'at', migrate_data => true,"
                f" chunk_time_interval => INTERVAL '{CHUNK_INTERVAL}', if_not_exists => true)",
            ],
        )
    ]
    applied = _run(conn, steps, done)
    if licence(conn) == "timescale":
        applied += _run(conn, _full_licence_steps(), done)
    return applied


def _full_licence_steps() -> list[tuple[str, list[str]]]:
    return [
        (
            "timescale_compression",
            [
                "ALTER TABLE events SET (timescaledb.compress,"
                " timescaledb.compress_segmentby = 'home_id',"
                " timescaledb.compress_orderby = 'at DESC')",
                f"SELECT add_compression_policy('events', INTERVAL '{COMPRESS_AFTER}')",
            ],
        ),
        (
            "timescale_hourly_activity",
            [
                # Continuous aggregates cannot be created inside a transaction block.
                "CREATE MATERIALIZED VIEW events_hourly WITH (timescaledb.continuous) AS"
                " SELECT home_id, time_bucket(INTERVAL '1 hour', at) AS hour,"
                " count(*) FILTER (WHERE activity) AS activity_events, count(*) AS events"
                " FROM events GROUP BY home_id, hour WITH NO DATA",
                "SELECT add_continuous_aggregate_policy('events_hourly',"
                " start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour',"
                " schedule_interval => INTERVAL '30 minutes')",
            ],
        ),
    ]


def _run(
    conn: psycopg.Connection[tuple[object, ...]],
    steps: list[tuple[str, list[str]]],
    done: set[str],
) -> list[str]:
    applied = []
    for name, statements in steps:
        if name in done:
            continue
        for sql in statements:
            conn.execute(sql.encode())
        conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
        applied.append(name)
    return applied


def drop_events_before(conn: psycopg.Connection[tuple[object, ...]], before: datetime) -> int:
    """Retention for raw events: whole chunks under TimescaleDB, batched deletes otherwise.

    Returns the number of chunks dropped (TimescaleDB) or rows deleted (plain PostgreSQL).
    """
    if licence(conn) is not None:
        rows = conn.execute("SELECT drop_chunks('events', older_than => %s)", (before,))
        return len(rows.fetchall())
    deleted = 0
    while True:
        # Batches keep each transaction short so ingest is never blocked for long.
        cur = conn.execute(
            "DELETE FROM events WHERE ctid IN (SELECT ctid FROM events WHERE at < %s LIMIT 10000)",
            (before,),
        )
        deleted += cur.rowcount
        if cur.rowcount < 10000:
            return deleted

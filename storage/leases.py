"""Leases: which process holds which share of the work, until when (see 0070_leases.sql).

Expiry is by wall time, compared in the database's terms: every holder passes its own
`now`, so hosts need roughly synchronised clocks (seconds, not minutes, matter here).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg

Conn = psycopg.Connection[tuple[object, ...]]


def hold(
    conn: Conn,
    scope: str,
    shards: Sequence[str],
    holder: str,
    now: datetime,
    until: datetime,
) -> set[str]:
    """Renew `holder`'s leases among `shards` and take those free or expired; returns the
    shards `holder` holds now."""
    rows = conn.execute(
        "INSERT INTO leases (scope, shard, holder, expires_at)"
        " SELECT %(scope)s, s, %(holder)s, %(until)s FROM unnest(%(shards)s::text[]) s"
        " ON CONFLICT (scope, shard) DO UPDATE SET holder = EXCLUDED.holder,"
        " expires_at = EXCLUDED.expires_at"
        " WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= %(now)s"
        " RETURNING shard",
        {"scope": scope, "shards": list(shards), "holder": holder, "until": until, "now": now},
    ).fetchall()
    return {str(r[0]) for r in rows}


def free(conn: Conn, scope: str, shards: Sequence[str], now: datetime) -> list[str]:
    """Those of `shards` nobody holds (never held, released, or expired), in order."""
    rows = conn.execute(
        "SELECT s FROM unnest(%s::text[]) WITH ORDINALITY AS t(s, n)"
        " WHERE NOT EXISTS (SELECT 1 FROM leases l WHERE l.scope = %s AND l.shard = t.s"
        " AND l.expires_at > %s) ORDER BY n",
        (list(shards), scope, now),
    ).fetchall()
    return [str(r[0]) for r in rows]


def live_holders(conn: Conn, scope: str, now: datetime) -> int:
    row = conn.execute(
        "SELECT count(*) FROM leases WHERE scope = %s AND expires_at > %s", (scope, now)
    ).fetchone()
    return int(str(row[0])) if row is not None else 0


def release(conn: Conn, scope: str, holder: str, shards: Sequence[str] | None = None) -> None:
    """Give leases back at once (all of `holder`'s when `shards` is None)."""
    conn.execute(
        "DELETE FROM leases WHERE scope = %s AND holder = %s"
        " AND (%s::text[] IS NULL OR shard = ANY(%s::text[]))",
        (
            scope,
            holder,
            None if shards is None else list(shards),
            None if shards is None else list(shards),
        ),
    )

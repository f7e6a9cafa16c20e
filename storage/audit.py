"""The audit log: who viewed or changed what about a home. Append-only (the table's trigger
refuses UPDATE and DELETE); this module only ever inserts and reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    user_id: int | None
    user_email: str
    home_id: str | None
    action: str
    target: str


def record(
    conn: Conn,
    at: datetime,
    user_id: int | None,
    user_email: str,
    home_id: str | None,
    action: str,
    target: str = "",
) -> None:
    conn.execute(
        "INSERT INTO audit_log (at, user_id, user_email, home_id, action, target)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (at, user_id, user_email, home_id, action, target),
    )


def list_for_home(conn: Conn, home_id: str, limit: int, offset: int) -> list[AuditEntry]:
    with conn.cursor(row_factory=class_row(AuditEntry)) as cur:
        return cur.execute(
            "SELECT id, at, user_id, user_email, home_id, action, target FROM audit_log"
            " WHERE home_id = %s ORDER BY at DESC, id DESC LIMIT %s OFFSET %s",
            (home_id, limit, offset),
        ).fetchall()


def allow_purge(conn: Conn) -> None:
    """Let the current transaction delete audit rows: retention and erasure only (0080)."""
    conn.execute("SELECT set_config('veille.audit_purge', 'on', true)")

"""Each home's status as its own household sees it: last activity and open incidents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class HomeStatus:
    home_id: str
    last_activity_at: datetime | None
    open_incident: str  # the kind of the most recent unresolved incident, or ""


def home_statuses(conn: Conn) -> list[HomeStatus]:
    with conn.cursor(row_factory=class_row(HomeStatus)) as cur:
        return cur.execute(
            "SELECT h.id AS home_id,"
            " (SELECT max(s.last_activity_at) FROM device_status s WHERE s.home_id = h.id)"
            "  AS last_activity_at,"
            " COALESCE((SELECT i.kind FROM incidents i WHERE i.home_id = h.id"
            "  AND i.state IN ('open', 'claimed', 'checkin')"
            "  ORDER BY i.opened_at DESC LIMIT 1), '') AS open_incident"
            " FROM homes h ORDER BY h.id"
        ).fetchall()

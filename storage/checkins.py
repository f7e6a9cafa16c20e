"""Check-in visits: a request to a few volunteers, at most one accepter, one report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class Checkin:
    id: int
    incident_id: int
    requested_at: datetime
    accepted_by: int | None
    accepted_at: datetime | None
    reported_at: datetime | None
    outcome: str | None


@dataclass(frozen=True, slots=True)
class Offer:
    checkin_id: int
    contact_id: int
    distance_km: float | None
    state: str
    answered_at: datetime | None


_COLUMNS = "id, incident_id, requested_at, accepted_by, accepted_at, reported_at, outcome"


def request_checkin(
    conn: Conn, incident_id: int, at: datetime, offers: Sequence[tuple[int, float | None]]
) -> int:
    """Create a check-in request offered to (contact id, distance km) volunteers."""
    row = conn.execute(
        "INSERT INTO checkins (incident_id, requested_at) VALUES (%s, %s) RETURNING id",
        (incident_id, at),
    ).fetchone()
    assert row is not None
    checkin_id = int(str(row[0]))
    for contact_id, distance_km in offers:
        conn.execute(
            "INSERT INTO checkin_offers (checkin_id, contact_id, distance_km) VALUES (%s, %s, %s)",
            (checkin_id, contact_id, distance_km),
        )
    return checkin_id


def accept(conn: Conn, checkin_id: int, contact_id: int, at: datetime) -> bool:
    """Give the visit to `contact_id` if nobody has it yet; exactly one concurrent caller wins.

    Under READ COMMITTED a second UPDATE waits for the first and then re-checks
    ``accepted_by IS NULL`` against the committed row, so it matches nothing.
    """
    cur = conn.execute(
        "UPDATE checkins SET accepted_by = %s, accepted_at = %s"
        " WHERE id = %s AND accepted_by IS NULL AND reported_at IS NULL AND EXISTS ("
        " SELECT 1 FROM checkin_offers o WHERE o.checkin_id = checkins.id"
        " AND o.contact_id = %s AND o.state = 'asked')",
        (contact_id, at, checkin_id, contact_id),
    )
    if cur.rowcount != 1:
        return False
    conn.execute(
        "UPDATE checkin_offers SET state = CASE WHEN contact_id = %s THEN 'accepted'"
        " ELSE 'taken' END, answered_at = CASE WHEN contact_id = %s THEN %s"
        " ELSE answered_at END WHERE checkin_id = %s AND state = 'asked'",
        (contact_id, contact_id, at, checkin_id),
    )
    return True


def decline(conn: Conn, checkin_id: int, contact_id: int, at: datetime) -> bool:
    cur = conn.execute(
        "UPDATE checkin_offers SET state = 'declined', answered_at = %s"
        " WHERE checkin_id = %s AND contact_id = %s AND state = 'asked'",
        (at, checkin_id, contact_id),
    )
    return cur.rowcount == 1


def report(conn: Conn, checkin_id: int, contact_id: int, at: datetime, outcome: str) -> bool:
    """Record the accepter's report; False if not theirs or already reported."""
    cur = conn.execute(
        "UPDATE checkins SET reported_at = %s, outcome = %s"
        " WHERE id = %s AND accepted_by = %s AND reported_at IS NULL",
        (at, outcome, checkin_id, contact_id),
    )
    return cur.rowcount == 1


def get_checkin(conn: Conn, checkin_id: int) -> Checkin | None:
    with conn.cursor(row_factory=class_row(Checkin)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM checkins WHERE id = %s", (checkin_id,)
        ).fetchone()


def list_checkins(conn: Conn, incident_id: int) -> list[Checkin]:
    with conn.cursor(row_factory=class_row(Checkin)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM checkins WHERE incident_id = %s ORDER BY id",
            (incident_id,),
        ).fetchall()


def list_offers(conn: Conn, checkin_id: int) -> list[Offer]:
    with conn.cursor(row_factory=class_row(Offer)) as cur:
        return cur.execute(
            "SELECT checkin_id, contact_id, distance_km, state, answered_at"
            " FROM checkin_offers WHERE checkin_id = %s ORDER BY distance_km NULLS LAST,"
            " contact_id",
            (checkin_id,),
        ).fetchall()

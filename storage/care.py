"""A home's care settings: address and access (shown only to whoever visits), location,
the resident's consent about who is told why, and the escalation policy overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

Conn = psycopg.Connection[tuple[object, ...]]

DEFAULT_SHARE = ["family", "care_org", "emergency"]


@dataclass(frozen=True, slots=True)
class HomeCare:
    home_id: str
    address: str = ""
    access_notes: str = ""
    latitude: float | None = None
    longitude: float | None = None
    share_details_with: list[str] = field(default_factory=lambda: list(DEFAULT_SHARE))
    policy: dict[str, Any] = field(default_factory=dict)


def get_care(conn: Conn, home_id: str) -> HomeCare:
    """The home's settings, or the defaults when none were saved."""
    with conn.cursor(row_factory=class_row(HomeCare)) as cur:
        found = cur.execute(
            "SELECT home_id, address, access_notes, latitude, longitude, share_details_with,"
            " policy FROM home_care WHERE home_id = %s",
            (home_id,),
        ).fetchone()
    return found or HomeCare(home_id)


def set_care(conn: Conn, care: HomeCare) -> None:
    conn.execute(
        "INSERT INTO home_care (home_id, address, access_notes, latitude, longitude,"
        " share_details_with, policy) VALUES (%s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (home_id) DO UPDATE SET address = EXCLUDED.address,"
        " access_notes = EXCLUDED.access_notes, latitude = EXCLUDED.latitude,"
        " longitude = EXCLUDED.longitude, share_details_with = EXCLUDED.share_details_with,"
        " policy = EXCLUDED.policy",
        (
            care.home_id,
            care.address,
            care.access_notes,
            care.latitude,
            care.longitude,
            care.share_details_with,
            Jsonb(care.policy),
        ),
    )

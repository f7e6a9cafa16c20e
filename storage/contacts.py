"""People who are told about a home: family, volunteers, a care organisation, emergency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]

ROLES = ("family", "volunteer", "care_org", "emergency")


@dataclass(frozen=True, slots=True)
class Contact:
    id: int
    home_id: str
    name: str
    role: str
    apprise_urls: list[str]
    position: int = 0
    active: bool = True
    latitude: float | None = None
    longitude: float | None = None
    max_distance_km: float | None = None
    available_hours: str = ""
    vetted: bool = False
    digest: bool = False
    quiet_hours: str = ""
    created_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class NewContact:
    home_id: str
    name: str
    role: str
    apprise_urls: list[str]
    position: int = 0
    latitude: float | None = None
    longitude: float | None = None
    max_distance_km: float | None = None
    available_hours: str = ""
    vetted: bool = False
    digest: bool = False
    quiet_hours: str = ""


_FIELDS = (
    "home_id, name, role, apprise_urls, position, latitude, longitude, max_distance_km,"
    " available_hours, vetted, digest, quiet_hours"
)
_COLUMNS = f"id, {_FIELDS}, active, created_at"


def add_contact(conn: Conn, contact: NewContact) -> int:
    row = conn.execute(
        f"INSERT INTO contacts ({_FIELDS}) VALUES"
        " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (
            contact.home_id,
            contact.name,
            contact.role,
            contact.apprise_urls,
            contact.position,
            contact.latitude,
            contact.longitude,
            contact.max_distance_km,
            contact.available_hours,
            contact.vetted,
            contact.digest,
            contact.quiet_hours,
        ),
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


def update_details(conn: Conn, contact_id: int, contact: NewContact) -> bool:
    """Change who the contact is, where and when they can help; not their apprise URLs
    (`set_apprise_urls`), nor their home."""
    cur = conn.execute(
        "UPDATE contacts SET name = %s, role = %s, latitude = %s, longitude = %s,"
        " max_distance_km = %s, available_hours = %s, vetted = %s, digest = %s,"
        " quiet_hours = %s WHERE id = %s AND active",
        (
            contact.name,
            contact.role,
            contact.latitude,
            contact.longitude,
            contact.max_distance_km,
            contact.available_hours,
            contact.vetted,
            contact.digest,
            contact.quiet_hours,
            contact_id,
        ),
    )
    return cur.rowcount == 1


def set_apprise_urls(conn: Conn, contact_id: int, urls: Sequence[str]) -> bool:
    cur = conn.execute(
        "UPDATE contacts SET apprise_urls = %s WHERE id = %s", (list(urls), contact_id)
    )
    return cur.rowcount == 1


def deactivate_contact(conn: Conn, contact_id: int) -> bool:
    """Stop telling a contact anything; kept so past timelines still name them."""
    cur = conn.execute("UPDATE contacts SET active = false WHERE id = %s", (contact_id,))
    return cur.rowcount == 1


def get_contact(conn: Conn, contact_id: int) -> Contact | None:
    with conn.cursor(row_factory=class_row(Contact)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM contacts WHERE id = %s", (contact_id,)
        ).fetchone()


def list_contacts(
    conn: Conn, home_id: str, roles: Sequence[str] = ROLES, active_only: bool = True
) -> list[Contact]:
    """The home's contacts in the given roles, in that role order, then by position."""
    with conn.cursor(row_factory=class_row(Contact)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM contacts WHERE home_id = %(h)s AND role = ANY(%(r)s)"
            " AND (active OR NOT %(a)s) ORDER BY array_position(%(r)s, role), position, id",
            {"h": home_id, "r": list(roles), "a": active_only},
        ).fetchall()

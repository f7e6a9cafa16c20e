"""Check-in requests to the nearest available neighbour volunteers.

Only vetted, active volunteers with a channel, available now (their hours, in the home's
local time) and willing to go that far are asked; the nearest K first. When the home's or
a volunteer's location is unknown the distance cannot be judged: such volunteers are asked
after those known to be in range, in the order the family listed them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg

from alerts import message
from alerts.hours import parse_hours, within
from alerts.message import Context
from alerts.policy import Policy
from storage import care, checkins, contacts, escalations, outbox
from storage.contacts import Contact

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True, slots=True)
class Candidate:
    contact: Contact
    distance_km: float | None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def choose(
    volunteers: list[Contact],
    home_at: tuple[float, float] | None,
    local_now: datetime,
    k: int,
) -> list[Candidate]:
    """The K volunteers to ask, nearest first (pure)."""
    found: list[Candidate] = []
    for v in volunteers:
        if not (v.active and v.vetted and v.apprise_urls and v.role == "volunteer"):
            continue
        if v.available_hours and not within(parse_hours(v.available_hours), local_now):
            continue
        far: float | None = None
        if home_at is not None and v.latitude is not None and v.longitude is not None:
            far = distance_km(home_at[0], home_at[1], v.latitude, v.longitude)
            if v.max_distance_km is not None and far > v.max_distance_km:
                continue
        found.append(Candidate(v, far))
    found.sort(key=lambda c: (c.distance_km is None, c.distance_km or 0.0, c.contact.position))
    return found[:k]


def ask_volunteers(
    conn: psycopg.Connection[tuple[object, ...]], ctx: Context, policy: Policy
) -> int:
    """Open a check-in request to the chosen volunteers; return how many were asked."""
    incident = ctx.incident
    settings = care.get_care(conn, incident.home_id)
    home_at = (
        (settings.latitude, settings.longitude)
        if settings.latitude is not None and settings.longitude is not None
        else None
    )
    local_now = ctx.now.astimezone(ZoneInfo(ctx.timezone))
    volunteers = contacts.list_contacts(conn, incident.home_id, ("volunteer",))
    chosen = choose(volunteers, home_at, local_now, policy.volunteers_k)
    if not chosen:
        return 0
    checkin_id = checkins.request_checkin(
        conn, incident.id, ctx.now, [(c.contact.id, c.distance_km) for c in chosen]
    )
    shared = ctx.for_role("volunteer", settings.share_details_with)
    outbox.enqueue(
        conn, [message.checkin_request(shared, c.contact, checkin_id) for c in chosen], ctx.now
    )
    names = ", ".join(
        c.contact.name + (f" ({c.distance_km:.1f} km)" if c.distance_km is not None else "")
        for c in chosen
    )
    escalations.add_timeline(conn, incident.id, ctx.now, "checkin_requested", names)
    return len(chosen)

"""Incidents as the family and volunteers see them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from api.authz import (
    Access,
    HomeIdQuery,
    IncidentId,
    OnIncident,
    Principal,
    SignedIn,
    authorise,
    record_read,
    visible_homes,
)
from api.deps import Db
from storage import accounts, escalations, incidents, outbox

router = APIRouter(tags=["incidents"])


MAX_PAGE = 1000


@router.get("/incidents")
def list_incidents(
    request: Request,
    db: Db,
    who: Annotated[Principal, Depends(SignedIn())],
    home_id: HomeIdQuery = None,
    open_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> list[dict[str, Any]]:
    """Incidents of the homes the caller may see, newest first."""
    if home_id is not None:
        exists, organisation = accounts.home_organisation(db, home_id)
        authorise(who, organisation if exists else None, home_id, Access.STATUS)
        homes: list[str | None] = [home_id]
    else:
        seen = visible_homes(db, who)
        homes = [None] if seen is None else list(seen)
    rows = [
        i for h in homes for i in incidents.list_incidents(db, h, only_open=open_only, limit=limit)
    ]
    rows.sort(key=lambda i: (i.opened_at, i.id), reverse=True)
    for read_home in sorted({i.home_id for i in rows[:limit]}):
        record_read(request, db, who, read_home)
    return [asdict(i) for i in rows[:limit]]


@router.get("/incidents/{incident_id}")
def get_incident(
    incident_id: IncidentId, db: Db, _: Annotated[Principal, Depends(OnIncident(Access.STATUS))]
) -> dict[str, Any]:
    found = incidents.get_incident(db, incident_id)
    assert found is not None  # the policy found it
    return asdict(found)


@router.get("/incidents/{incident_id}/timeline")
def timeline(
    incident_id: IncidentId, db: Db, _: Annotated[Principal, Depends(OnIncident(Access.STATUS))]
) -> dict[str, Any]:
    """Who was told what and when, and what they did."""
    return {
        "events": [asdict(e) for e in escalations.list_timeline(db, incident_id)],
        "messages": [
            {
                "id": m.id,
                "contact_id": m.contact_id,
                "purpose": m.purpose,
                "title": m.title,
                "state": m.state,
                "created_at": m.created_at,
                "sent_at": m.sent_at,
            }
            for m in outbox.list_messages(db, incident_id)
        ],
    }

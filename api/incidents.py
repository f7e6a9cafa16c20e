"""Incidents as the family and volunteers see them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import Db
from storage import escalations, incidents, outbox

router = APIRouter(tags=["incidents"])


@router.get("/incidents")
def list_incidents(
    db: Db, home_id: str | None = None, open_only: bool = False, limit: int = 100
) -> list[dict[str, Any]]:
    rows = incidents.list_incidents(db, home_id, only_open=open_only, limit=min(limit, 1000))
    return [asdict(i) for i in rows]


@router.get("/incidents/{incident_id}")
def get_incident(incident_id: int, db: Db) -> dict[str, Any]:
    found = incidents.get_incident(db, incident_id)
    if found is None:
        raise HTTPException(404, f"no incident {incident_id}")
    return asdict(found)


@router.get("/incidents/{incident_id}/timeline")
def timeline(incident_id: int, db: Db) -> dict[str, Any]:
    """Who was told what and when, and what they did."""
    if incidents.get_incident(db, incident_id) is None:
        raise HTTPException(404, f"no incident {incident_id}")
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

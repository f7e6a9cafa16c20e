"""Incidents as the family and volunteers see them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import Db
from storage import incidents

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

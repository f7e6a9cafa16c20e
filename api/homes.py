"""Homes: who lives where, in which time zone, and whether they are away."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from api.deps import Db
from storage import device_status, homes

router = APIRouter(tags=["homes"])


class HomeIn(BaseModel):
    timezone: str = Field(examples=["Europe/Paris"])
    name: str = ""


class AwayIn(BaseModel):
    until: datetime | None = Field(description="end of the holiday (with offset); null: back")


@router.get("/homes")
def list_homes(db: Db) -> list[dict[str, Any]]:
    return [asdict(h) for h in homes.list_homes(db)]


@router.put("/homes/{home_id}")
def put_home(home_id: str, body: HomeIn, db: Db) -> dict[str, Any]:
    try:
        homes.upsert_home(db, home_id, body.timezone, body.name)
    except homes.UnknownTimeZoneError as exc:
        raise HTTPException(422, str(exc)) from None
    return get_home(home_id, db)


@router.get("/homes/{home_id}")
def get_home(home_id: str, db: Db) -> dict[str, Any]:
    home = homes.get_home(db, home_id)
    if home is None:
        raise HTTPException(404, f"no home {home_id!r}")
    return {
        **asdict(home),
        "devices": [asdict(d) for d in device_status.list_states(db, home_id)],
    }


@router.put("/homes/{home_id}/away")
def put_away(home_id: str, body: AwayIn, db: Db) -> dict[str, Any]:
    if body.until is not None and body.until.tzinfo is None:
        raise HTTPException(422, "'until' needs a UTC offset")
    if not homes.set_away(db, home_id, body.until):
        raise HTTPException(404, f"no home {home_id!r}")
    return {"home_id": home_id, "away_until": body.until}

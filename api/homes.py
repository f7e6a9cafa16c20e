"""Homes: who lives where, in which time zone, and whether they are away."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from api.authz import ID_PATTERN, Access, HomeId, OnHome, Principal, SignedIn, visible_homes
from api.deps import Db
from api.fields import Text, TimeZone
from storage import accounts, audit, device_status, homes

router = APIRouter(tags=["homes"])

MAX_PAGE = 1000


class HomeIn(BaseModel):
    timezone: TimeZone = Field(examples=["Europe/Paris"])
    name: Text = ""
    organisation: str | None = Field(
        default=None, pattern=ID_PATTERN, description="care organisation (administrators only)"
    )


class AwayIn(BaseModel):
    until: datetime | None = Field(description="end of the holiday (with offset); null: back")


@router.get("/homes")
def list_homes(db: Db, who: Annotated[Principal, Depends(SignedIn())]) -> list[dict[str, Any]]:
    seen = visible_homes(db, who)
    return [asdict(h) for h in homes.list_homes(db) if seen is None or h.id in seen]


@router.put("/homes/{home_id}")
def put_home(
    home_id: HomeId,
    body: HomeIn,
    request: Request,
    db: Db,
    who: Annotated[Principal, Depends(OnHome(Access.MANAGE, create=True))],
) -> dict[str, Any]:
    if body.organisation is not None and not who.administrator:
        raise HTTPException(403, "only administrators assign a home to an organisation")
    exists, current = accounts.home_organisation(db, home_id)
    organisation = body.organisation or current or (None if exists else who.organisation)
    try:
        with db.transaction():
            homes.upsert_home(db, home_id, body.timezone, body.name)
            accounts.set_home_organisation(db, home_id, organisation)
    except homes.UnknownTimeZoneError as exc:
        raise HTTPException(422, str(exc)) from None
    return _home(db, home_id)


@router.get("/homes/{home_id}")
def get_home(
    home_id: HomeId, db: Db, _: Annotated[Principal, Depends(OnHome(Access.STATUS))]
) -> dict[str, Any]:
    return _home(db, home_id)


def _home(db: Db, home_id: str) -> dict[str, Any]:
    home = homes.get_home(db, home_id)
    if home is None:
        raise HTTPException(404, f"no home {home_id!r}")
    return {
        **asdict(home),
        "devices": [asdict(d) for d in device_status.list_states(db, home_id)],
    }


@router.put("/homes/{home_id}/away")
def put_away(
    home_id: HomeId,
    body: AwayIn,
    db: Db,
    _: Annotated[Principal, Depends(OnHome(Access.MANAGE))],
) -> dict[str, Any]:
    if body.until is not None and body.until.tzinfo is None:
        raise HTTPException(422, "'until' needs a UTC offset")
    if not homes.set_away(db, home_id, body.until):
        raise HTTPException(404, f"no home {home_id!r}")
    return {"home_id": home_id, "away_until": body.until}


@router.get("/homes/{home_id}/audit")
def get_audit(
    home_id: HomeId,
    db: Db,
    _: Annotated[Principal, Depends(OnHome(Access.AUDIT))],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[dict[str, Any]]:
    """Who viewed or changed what about the home, newest first (this read included)."""
    return [asdict(e) for e in audit.list_for_home(db, home_id, limit, offset)]

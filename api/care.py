"""A home's care settings: address and access (for whoever visits), location, the
resident's consent about who is told why, and the escalation policy."""

from __future__ import annotations

from dataclasses import asdict, replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from alerts.policy import policy_from
from api.authz import Access, HomeId, OnHome, Principal
from api.deps import Db
from api.fields import LongText, Text
from storage import care

router = APIRouter(tags=["care"])

ContactRole = Literal["family", "volunteer", "care_org", "emergency"]


class CareIn(BaseModel):
    address: Text = ""
    access_notes: LongText = Field(default="", description="key safe, which door...")
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class ConsentIn(BaseModel):
    share_details_with: list[ContactRole] = Field(
        max_length=4, description="who is told why (the explanation); others only to look in"
    )


class PolicyIn(BaseModel):
    claim_timeout_min: float = Field(default=10.0, ge=1, le=24 * 60)
    volunteers_k: int = Field(default=3, ge=1, le=20)
    checkin_timeout_min: float = Field(default=30.0, ge=1, le=24 * 60)
    reescalate_min: float = Field(default=45.0, ge=1, le=24 * 60)
    reminder_min: float = Field(default=30.0, ge=1, le=24 * 60)
    max_reminders: int = Field(default=3, ge=0, le=20)
    critical_kinds: list[Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")]] = Field(
        default=["panic", "fall"], max_length=20
    )


@router.get("/homes/{home_id}/care")
def get_care(
    home_id: HomeId, db: Db, _: Annotated[Principal, Depends(OnHome(Access.MANAGE))]
) -> dict[str, Any]:
    settings = care.get_care(db, home_id)
    return {**asdict(settings), "policy": asdict(policy_from(settings.policy))}


@router.put("/homes/{home_id}/care")
def put_care(
    home_id: HomeId,
    body: CareIn,
    db: Db,
    _: Annotated[Principal, Depends(OnHome(Access.MANAGE))],
) -> dict[str, Any]:
    care.set_care(db, replace(care.get_care(db, home_id), **body.model_dump()))
    return get_care(home_id, db, _)


@router.get("/homes/{home_id}/consent")
def get_consent(
    home_id: HomeId, db: Db, _: Annotated[Principal, Depends(OnHome(Access.STATUS))]
) -> dict[str, Any]:
    return {"share_details_with": care.get_care(db, home_id).share_details_with}


@router.put("/homes/{home_id}/consent")
def put_consent(
    home_id: HomeId,
    body: ConsentIn,
    db: Db,
    _: Annotated[Principal, Depends(OnHome(Access.CONSENT))],
) -> dict[str, Any]:
    shared: list[str] = sorted(set(body.share_details_with))
    care.set_care(db, replace(care.get_care(db, home_id), share_details_with=shared))
    return {"share_details_with": shared}


@router.put("/homes/{home_id}/policy")
def put_policy(
    home_id: HomeId,
    body: PolicyIn,
    db: Db,
    _: Annotated[Principal, Depends(OnHome(Access.MANAGE))],
) -> dict[str, Any]:
    overrides = body.model_dump()
    chosen = policy_from(overrides)  # the same validation alerts applies when it reads it
    care.set_care(db, replace(care.get_care(db, home_id), policy=overrides))
    return asdict(chosen)

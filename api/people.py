"""The people told about a home. Invalid apprise URLs, and URLs aimed at the instance's
own network, are refused when saved; URLs are stored sealed and shown only masked."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, Field

from alerts.masking import masked_sealed
from alerts.outbound import Outbound
from alerts.people import ContactError, edit_contact, save_contact
from alerts.vault import Vault
from api.authz import MAX_BIGINT, Access, HomeId, OnHome, Principal
from api.deps import Db
from api.fields import LongText, Text
from storage import contacts

router = APIRouter(tags=["people"])


def _vault(request: Request) -> Vault:
    vault: Vault | None = request.app.state.vault
    if vault is None:
        raise HTTPException(503, "contacts need VEILLE_DATA_KEY, which is not configured")
    return vault


def _outbound(request: Request) -> Outbound:
    outbound: Outbound = request.app.state.outbound
    return outbound


VaultDep = Annotated[Vault, Depends(_vault)]
OutboundDep = Annotated[Outbound, Depends(_outbound)]


class ContactIn(BaseModel):
    name: Text = Field(min_length=1)
    role: Literal["family", "volunteer", "care_org", "emergency"]
    apprise_urls: list[LongText] = Field(min_length=1, max_length=10)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    max_distance_km: float | None = Field(default=None, gt=0, le=1000)
    available_hours: Text = ""
    vetted: bool = Field(default=False, description="set by administrators and care staff only")
    digest: bool = False
    quiet_hours: Text = ""


ContactId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]


def _check_vetting(who: Principal, vetted: bool, was_vetted: bool) -> None:
    if vetted and not was_vetted and not who.may_vet:
        raise HTTPException(403, "only administrators and care staff vet a volunteer")


@router.post("/homes/{home_id}/contacts", status_code=201)
def add(
    home_id: HomeId,
    body: ContactIn,
    db: Db,
    vault: VaultDep,
    outbound: OutboundDep,
    who: Annotated[Principal, Depends(OnHome(Access.MANAGE))],
) -> dict[str, Any]:
    _check_vetting(who, body.vetted, was_vetted=False)
    try:
        new = contacts.NewContact(home_id, **body.model_dump())
        contact_id = save_contact(db, new, vault, outbound)
    except ContactError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"id": contact_id}


@router.put("/homes/{home_id}/contacts/{contact_id}")
def edit(
    home_id: HomeId,
    contact_id: ContactId,
    body: ContactIn,
    db: Db,
    vault: VaultDep,
    outbound: OutboundDep,
    who: Annotated[Principal, Depends(OnHome(Access.MANAGE))],
) -> dict[str, Any]:
    found = contacts.get_contact(db, contact_id)
    if found is None or found.home_id != home_id or not found.active:
        raise HTTPException(404, f"no contact {contact_id} in home {home_id!r}")
    _check_vetting(who, body.vetted, was_vetted=found.vetted)
    try:
        edit_contact(
            db, contact_id, contacts.NewContact(home_id, **body.model_dump()), vault, outbound
        )
    except ContactError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"id": contact_id}


@router.get("/homes/{home_id}/contacts")
def list_people(
    home_id: HomeId,
    db: Db,
    vault: VaultDep,
    _: Annotated[Principal, Depends(OnHome(Access.STATUS))],
) -> list[dict[str, Any]]:
    # Secrets in apprise URLs (tokens, passwords) never leave the server.
    return [
        {
            "id": c.id,
            "name": c.name,
            "role": c.role,
            "apprise_urls": [masked_sealed(vault, u) for u in c.apprise_urls],
        }
        for c in contacts.list_contacts(db, home_id)
    ]


@router.delete("/homes/{home_id}/contacts/{contact_id}", status_code=204)
def remove(
    home_id: HomeId,
    contact_id: ContactId,
    db: Db,
    _: Annotated[Principal, Depends(OnHome(Access.MANAGE))],
) -> None:
    """Stop telling this person; past timelines still name them."""
    found = contacts.get_contact(db, contact_id)
    if found is None or found.home_id != home_id:
        raise HTTPException(404, f"no contact {contact_id} in home {home_id!r}")
    contacts.deactivate_contact(db, contact_id)

"""The people told about a home. Invalid apprise URLs, and URLs aimed at the instance's
own network, are refused when saved; URLs are stored sealed and shown only masked."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel

from alerts.masking import masked_sealed
from alerts.outbound import Outbound
from alerts.people import ContactError, save_contact
from alerts.vault import Vault
from api.deps import Db
from storage import contacts, homes

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
    name: str
    role: str  # family, volunteer, care_org, emergency
    apprise_urls: list[str]
    latitude: float | None = None
    longitude: float | None = None
    max_distance_km: float | None = None
    available_hours: str = ""
    vetted: bool = False
    digest: bool = False
    quiet_hours: str = ""


@router.post("/homes/{home_id}/contacts", status_code=201)
def add(
    home_id: str, body: ContactIn, db: Db, vault: VaultDep, outbound: OutboundDep
) -> dict[str, Any]:
    if homes.get_home(db, home_id) is None:
        raise HTTPException(404, f"no home {home_id!r}")
    try:
        new = contacts.NewContact(home_id, **body.model_dump())
        contact_id = save_contact(db, new, vault, outbound)
    except ContactError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"id": contact_id}


@router.get("/homes/{home_id}/contacts")
def list_people(home_id: str, db: Db, vault: VaultDep) -> list[dict[str, Any]]:
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
def remove(home_id: str, contact_id: int, db: Db) -> None:
    """Stop telling this person; past timelines still name them."""
    found = contacts.get_contact(db, contact_id)
    if found is None or found.home_id != home_id:
        raise HTTPException(404, f"no contact {contact_id} in home {home_id!r}")
    contacts.deactivate_contact(db, contact_id)

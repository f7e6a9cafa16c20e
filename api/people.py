"""The people told about a home. Invalid apprise URLs are refused when saved."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from alerts.delivery import masked
from alerts.people import ContactError, save_contact
from api.deps import Db
from storage import contacts, homes

router = APIRouter(tags=["people"])


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
def add(home_id: str, body: ContactIn, db: Db) -> dict[str, Any]:
    if homes.get_home(db, home_id) is None:
        raise HTTPException(404, f"no home {home_id!r}")
    try:
        contact_id = save_contact(db, contacts.NewContact(home_id, **body.model_dump()))
    except ContactError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"id": contact_id}


@router.get("/homes/{home_id}/contacts")
def list_people(home_id: str, db: Db) -> list[dict[str, Any]]:
    # Secrets in apprise URLs (tokens, passwords) never leave the server.
    return [
        {
            "id": c.id,
            "name": c.name,
            "role": c.role,
            "apprise_urls": [masked(u) for u in c.apprise_urls],
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

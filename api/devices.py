"""Devices: those waiting to be assigned to a home, assigning them, removing them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from api.deps import Db
from devices.signals import DeviceKind, Role, Room
from storage import device_status, homes

router = APIRouter(tags=["devices"])


class DeviceIn(BaseModel):
    source: str | None = None  # a pending device's source, e.g. "z2m:kitchen/pir"
    kind: DeviceKind
    room: Room
    role: Role = Role.NONE


@router.get("/devices/pending")
def list_pending(db: Db) -> list[dict[str, Any]]:
    return [asdict(p) for p in device_status.list_pending(db)]


@router.put("/homes/{home_id}/devices/{device_id}")
def assign(home_id: str, device_id: str, body: DeviceIn, db: Db) -> dict[str, Any]:
    if homes.get_home(db, home_id) is None:
        raise HTTPException(404, f"no home {home_id!r}")
    model = device_status.pending_model(db, body.source) if body.source else None
    with db.transaction():
        homes.upsert_device(
            db, home_id, device_id, body.kind, body.room, body.role, body.source, model or ""
        )
    return {"home_id": home_id, "device_id": device_id, **body.model_dump(mode="json")}


@router.delete("/homes/{home_id}/devices/{device_id}", status_code=204)
def remove(home_id: str, device_id: str, db: Db) -> None:
    if not device_status.remove_device(db, home_id, device_id):
        raise HTTPException(404, f"no device {device_id!r} in home {home_id!r}")

"""Devices: those waiting to be assigned to a home, assigning them, removing them."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path
from pydantic import BaseModel, Field

from api.authz import ID_PATTERN, Access, Administrator, HomeId, OnHome, Principal
from api.deps import Db
from devices.signals import DeviceKind, Role, Room
from storage import device_status, homes

router = APIRouter(tags=["devices"])


class DeviceIn(BaseModel):
    # a pending device's source, e.g. "z2m:kitchen/pir"
    source: str | None = Field(default=None, max_length=300, pattern=r"^[^\x00]*$")
    kind: DeviceKind
    room: Room
    role: Role = Role.NONE


DeviceId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]


@router.get("/devices/pending", dependencies=[Depends(Administrator())])
def list_pending(db: Db) -> list[dict[str, Any]]:
    return [asdict(p) for p in device_status.list_pending(db)]


@router.put("/homes/{home_id}/devices/{device_id}")
def assign(
    home_id: HomeId,
    device_id: DeviceId,
    body: DeviceIn,
    db: Db,
    _: Annotated[Principal, Depends(OnHome(Access.MANAGE))],
) -> dict[str, Any]:
    model = device_status.pending_model(db, body.source) if body.source else None
    with db.transaction():
        homes.upsert_device(
            db, home_id, device_id, body.kind, body.room, body.role, body.source, model or ""
        )
    return {"home_id": home_id, "device_id": device_id, **body.model_dump(mode="json")}


@router.delete("/homes/{home_id}/devices/{device_id}", status_code=204)
def remove(
    home_id: HomeId,
    device_id: DeviceId,
    db: Db,
    _: Annotated[Principal, Depends(OnHome(Access.MANAGE))],
) -> None:
    if not device_status.remove_device(db, home_id, device_id):
        raise HTTPException(404, f"no device {device_id!r} in home {home_id!r}")

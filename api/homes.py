"""Homes, their devices, and devices waiting to be assigned."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import Db
from storage import homes

router = APIRouter(tags=["homes"])


@router.get("/homes")
def list_homes(db: Db) -> list[dict[str, Any]]:
    return [asdict(h) for h in homes.list_homes(db)]


@router.get("/homes/{home_id}")
def get_home(home_id: str, db: Db) -> dict[str, Any]:
    home = homes.get_home(db, home_id)
    if home is None:
        raise HTTPException(404, f"no home {home_id!r}")
    return {**asdict(home), "devices": [asdict(d) for d in homes.list_devices(db, home_id)]}

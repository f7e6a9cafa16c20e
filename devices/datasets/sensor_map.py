"""Per-home sensor maps: which dataset sensor is what kind of device, in which room, doing what.

Stored as JSON data in ``devices/datasets/maps/<home>.json``::

    {"timezone": "Europe/Amsterdam",
     "sensors": {"12": {"kind": "contact", "room": "hall", "role": "entrance",
                        "label": "front door"}}}

``role`` and ``label`` are optional. Kinds, rooms and roles are the `devices.signals` enums.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from devices.signals import DeviceKind, Role, Room

MAPS_DIR = Path(__file__).resolve().parent / "maps"


class SensorMapError(ValueError):
    """A sensor map file that does not follow the format above."""


@dataclass(frozen=True, slots=True)
class SensorInfo:
    kind: DeviceKind
    room: Room
    role: Role = Role.NONE
    label: str = ""


@dataclass(frozen=True, slots=True)
class SensorMap:
    name: str
    timezone: str
    sensors: dict[str, SensorInfo]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def available_maps() -> list[str]:
    return sorted(path.stem for path in MAPS_DIR.glob("*.json"))


def load_map(name: str, maps_dir: Path = MAPS_DIR) -> SensorMap:
    path = maps_dir / f"{name}.json"
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SensorMapError(f"no sensor map {name!r}; known: {available_maps()}") from None
    return parse_map(name, body)


def parse_map(name: str, body: Any) -> SensorMap:
    if not isinstance(body, dict) or not isinstance(body.get("sensors"), dict):
        raise SensorMapError(f"{name}: needs a 'sensors' object")
    timezone = body.get("timezone")
    if not isinstance(timezone, str):
        raise SensorMapError(f"{name}: needs a 'timezone' string")
    try:
        ZoneInfo(timezone)
    except (KeyError, ValueError):
        raise SensorMapError(f"{name}: unknown timezone {timezone!r}") from None
    sensors = {sid: _sensor(name, sid, spec) for sid, spec in body["sensors"].items()}
    return SensorMap(name, timezone, sensors)


def _sensor(name: str, sensor_id: str, spec: Any) -> SensorInfo:
    if not isinstance(spec, dict):
        raise SensorMapError(f"{name}/{sensor_id}: must be an object")
    try:
        return SensorInfo(
            kind=DeviceKind(spec["kind"]),
            room=Room(spec["room"]),
            role=Role(spec.get("role", "")),
            label=str(spec.get("label", "")),
        )
    except (KeyError, ValueError) as exc:
        raise SensorMapError(f"{name}/{sensor_id}: {exc}") from None

"""What a scenario is: a cue (name, moment, room, options), its effects on a home, its truth.

A scenario changes a home's simulation through `Effects`: it may rewrite the resident's
activities, drift their parameters day by day, change the indoor temperature, or rewrite the
device event stream. It records a `GroundTruth` when what it describes actually happens.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from devices.signals import Room
from simulators.event import Event
from simulators.layout import HomeLayout
from simulators.liveness import Thermal, comfortable
from simulators.resident import Activity, ResidentParams

FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)
ActivityTransform = Callable[[Iterator[Activity]], Iterator[Activity]]
EventTransform = Callable[[Iterator[Event]], Iterator[Event]]


class ScenarioError(ValueError):
    """An unknown scenario, room or device, or an unreadable time or option."""


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    name: str
    at: datetime  # aware: when it begins
    room: Room | None = None
    options: dict[str, str] = field(default_factory=dict)

    def number(self, key: str, default: float) -> float:
        try:
            return float(self.options.get(key, default))
        except ValueError:
            raise ScenarioError(f"{self.name}: option {key} must be a number") from None

    def duration(self, key: str, default_h: float) -> timedelta:
        """An option in hours: ``hours=3``, or with a unit: ``for=90m``, ``for=2d``."""
        text = self.options.get(key)
        return timedelta(hours=default_h) if text is None else parse_duration(text)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    unit = _UNITS.get(text[-1:], 3600 if text[-1:].isdigit() else 0)
    number = text[:-1] if text[-1:] in _UNITS else text
    try:
        amount = float(number)
    except ValueError:
        amount = -1.0
    if not unit or amount < 0:
        raise ScenarioError(f"bad duration {text!r}: use 90s, 30m, 2h or 1d")
    return timedelta(seconds=amount * unit)


@dataclass(frozen=True, slots=True)
class GroundTruth:
    home_id: str
    scenario: str
    began_at: datetime
    expect: str  # what Veille should do about it
    room: Room | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        body: dict[str, Any] = {
            "home": self.home_id,
            "scenario": self.scenario,
            "began_at": self.began_at.isoformat(),
            "expect": self.expect,
        }
        if self.room is not None:
            body["room"] = self.room.value
        if self.detail:
            body["detail"] = self.detail
        return json.dumps(body, separators=(",", ":"), default=str)


# Records that a scenario's event happened: (began_at, room, detail).
Recorder = Callable[[datetime, Room | None, dict[str, Any]], None]


@dataclass
class Effects:
    """Everything the scenarios of one home change, gathered before the simulation runs."""

    layout: HomeLayout
    base: ResidentParams
    activity_transforms: list[ActivityTransform] = field(default_factory=list)
    event_transforms: list[EventTransform] = field(default_factory=list)
    drifts: list[Callable[[date, ResidentParams], ResidentParams]] = field(default_factory=list)
    thermal: Thermal = comfortable
    truth: list[GroundTruth] = field(default_factory=list)

    @property
    def home_id(self) -> str:
        return self.layout.home_id

    def params_for(self, day: date) -> ResidentParams:
        params = self.base
        for drift in self.drifts:
            params = drift(day, params)
        return params

    def recorder(self, name: str, expect: str) -> Recorder:
        def record(began_at: datetime, room: Room | None, detail: dict[str, Any]) -> None:
            self.truth.append(GroundTruth(self.home_id, name, began_at, expect, room, detail))

        return record

    def device_id(self, spec: ScenarioSpec, default: str) -> str:
        device_id = spec.options.get("device", default)
        if device_id not in {d.id for d in self.layout.devices}:
            raise ScenarioError(f"{spec.name}: no device {device_id!r} in {self.home_id}")
        return device_id


@dataclass(frozen=True, slots=True)
class ScenarioDef:
    description: str
    expect: str
    apply: Callable[[ScenarioSpec, Effects, Recorder], None]
    options: str = ""  # documented options, e.g. "hours=3"

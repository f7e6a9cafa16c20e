"""Scenarios on cue: what goes wrong, from when, and the ground truth of it.

A scenario changes a home's simulation through `Effects`: it may rewrite the resident's
activities, drift their parameters day by day, change the indoor temperature, or rewrite the
device event stream. Each records a `GroundTruth` saying what happened and when it began.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from devices.signals import Room
from simulators.event import Event
from simulators.liveness import Thermal, comfortable
from simulators.resident import STILL_S, Activity, ResidentParams

FAR_FUTURE = datetime(9000, 1, 1, tzinfo=UTC)
ActivityTransform = Callable[[Iterator[Activity]], Iterator[Activity]]
EventTransform = Callable[[Iterator[Event]], Iterator[Event]]


class ScenarioError(ValueError):
    """An unknown scenario name or an unreadable time or option."""


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    name: str
    at: datetime  # aware: when it begins
    room: Room | None = None
    options: dict[str, Any] = field(default_factory=dict)


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


@dataclass
class Effects:
    """Everything the scenarios of one home change, gathered before the simulation runs."""

    home_id: str
    base: ResidentParams
    activity_transforms: list[ActivityTransform] = field(default_factory=list)
    event_transforms: list[EventTransform] = field(default_factory=list)
    drifts: list[Callable[[date, ResidentParams], ResidentParams]] = field(default_factory=list)
    thermal: Thermal = comfortable
    truth: list[GroundTruth] = field(default_factory=list)

    def params_for(self, day: date) -> ResidentParams:
        params = self.base
        for drift in self.drifts:
            params = drift(day, params)
        return params


@dataclass(frozen=True, slots=True)
class ScenarioDef:
    description: str
    expect: str
    apply: Callable[[ScenarioSpec, Effects], None]


def _fall(spec: ScenarioSpec, effects: Effects) -> None:
    def transform(acts: Iterator[Activity]) -> Iterator[Activity]:
        for act in acts:
            if act.end <= spec.at:
                yield act
                continue
            if act.room is None:  # out when it was due: the fall happens on coming home
                yield act
                at, room = act.end, spec.room or Room.HALL
            else:
                at, room = max(spec.at, act.start), spec.room or act.room
                if act.start < at:
                    yield replace(act, end=at)
            effects.truth.append(
                GroundTruth(effects.home_id, "fall", at, SCENARIOS["fall"].expect, room)
            )
            yield Activity("fallen", at, FAR_FUTURE, room, STILL_S, final=True)
            return

    effects.activity_transforms.append(transform)


SCENARIOS: dict[str, ScenarioDef] = {
    "fall": ScenarioDef(
        "the resident falls and lies still from the given moment (optionally in a room); "
        "devices keep sending battery and link-quality reports",
        "inactivity incident",
        _fall,
    ),
}


def apply_scenarios(specs: tuple[ScenarioSpec, ...], effects: Effects) -> Effects:
    for spec in specs:
        SCENARIOS[spec.name].apply(spec, effects)
    return effects


def parse_cue(text: str, live_start: datetime, zone: Any) -> ScenarioSpec:
    """``NAME[@WHEN][:ROOM]``: WHEN is ISO 8601 (naive = home local time) or ``+30m``/``+2h``/
    ``+1d`` after `live_start`; default ``+1h``."""
    # An ISO time contains colons itself: a room, if any, follows the last one and is a word.
    head, _, tail = text.rpartition(":")
    cue, room_text = (head, tail) if head and tail.isalpha() else (text, "")
    name, _, when = cue.partition("@")
    if name not in SCENARIOS:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(sorted(SCENARIOS))}")
    at = _when(when or "+1h", live_start, zone)
    try:
        room = Room(room_text) if room_text else None
    except ValueError:
        raise ScenarioError(f"unknown room {room_text!r}") from None
    return ScenarioSpec(name, at.astimezone(UTC), room)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _when(text: str, live_start: datetime, zone: Any) -> datetime:
    if text.startswith("+"):
        unit = _UNITS.get(text[-1])
        try:
            amount = float(text[1:-1])
        except ValueError:
            amount = -1.0
        if unit is None or amount < 0:
            raise ScenarioError(f"bad offset {text!r}: use +30m, +2h or +1d")
        return live_start + timedelta(seconds=amount * unit)
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ScenarioError(f"bad time {text!r}: use ISO 8601 or +2h") from None
    return at if at.tzinfo else at.replace(tzinfo=zone)

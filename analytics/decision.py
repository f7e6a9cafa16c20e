"""What the engine decides: open a flag, or clear one. Pure values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """Every kind of incident the detector opens (the `kind` of a flag and of an incident)."""

    PANIC = "panic"
    INACTIVITY = "inactivity"
    NOT_UP = "not_up"
    BATHROOM = "bathroom"
    MONITORING_LOST = "monitoring_lost"
    OUT_AT_NIGHT = "out_at_night"
    NOT_BACK = "not_back"
    NO_MEAL = "no_meal"
    TOO_COLD = "too_cold"
    TOO_HOT = "too_hot"
    MAINTENANCE = "maintenance"
    LOW_BATTERY = "low_battery"
    NOISY_SENSOR = "noisy_sensor"


class Clearing(StrEnum):
    """What resolves an incident of a kind."""

    MOVEMENT = "movement"  # she moves again (in the bathroom or bed: not yet, for those kinds)
    RETURN = "return"  # she comes home
    KITCHEN = "kitchen"  # the kitchen is used
    CONDITION = "condition"  # what was measured is normal again (temperature, sensors)
    PERSON = "person"  # only a person closes it: someone answered the call


@dataclass(frozen=True, slots=True)
class KindRule:
    severity: str  # info (the family, once), warning (escalates), critical (everyone at once)
    clearing: Clearing


KINDS: dict[Kind, KindRule] = {
    Kind.PANIC: KindRule("critical", Clearing.PERSON),
    Kind.INACTIVITY: KindRule("warning", Clearing.MOVEMENT),
    Kind.NOT_UP: KindRule("warning", Clearing.MOVEMENT),
    Kind.BATHROOM: KindRule("warning", Clearing.MOVEMENT),
    Kind.MONITORING_LOST: KindRule("warning", Clearing.MOVEMENT),
    Kind.OUT_AT_NIGHT: KindRule("warning", Clearing.RETURN),
    Kind.NOT_BACK: KindRule("info", Clearing.RETURN),
    Kind.NO_MEAL: KindRule("info", Clearing.KITCHEN),
    Kind.TOO_COLD: KindRule("warning", Clearing.CONDITION),
    Kind.TOO_HOT: KindRule("warning", Clearing.CONDITION),
    Kind.MAINTENANCE: KindRule("info", Clearing.CONDITION),
    Kind.LOW_BATTERY: KindRule("info", Clearing.CONDITION),
    Kind.NOISY_SENSOR: KindRule("info", Clearing.RETURN),
}
# Flags that mean "the resident may need help because nothing moves"; activity clears them.
INACTIVITY_KINDS = frozenset(k.value for k, r in KINDS.items() if r.clearing == Clearing.MOVEMENT)


@dataclass(frozen=True, slots=True)
class Flag:
    kind: str
    severity: str  # info, warning, critical
    at: datetime
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Clear:
    kind: str
    at: datetime
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)


Decision = Flag | Clear

"""Escalation policies: who is told next, and when, as pure functions of state and time.

Default ladder for a warning (e.g. unusual inactivity):

    family (claim link) --N min unclaimed--> check-in request to the nearest K volunteers
    --M min without a report--> every family member, the care organisation and the
    emergency contact, reminded every R min a few times.

A claim stops the unclaimed timer but starts a re-escalation timer (PagerDuty-style): an
incident claimed and still unresolved after `reescalate_min` moves to the next step.
Critical incidents (panic button, fall) skip the ladder and tell everyone at once. Incidents
for information (a low battery, a sensor to look at, not back yet, no meal seen) tell the
family once and climb no further: a neighbour is never sent to change a battery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from enum import StrEnum

OPEN_STATES = ("open", "claimed", "checkin")


class Stage(StrEnum):
    FAMILY = "family"
    VOLUNTEERS = "volunteers"
    EVERYONE = "everyone"
    DONE = "done"


class Audience(StrEnum):
    FAMILY = "family"  # the first alert, with a claim link
    VOLUNTEERS = "volunteers"  # a check-in request, without the address
    EVERYONE = "everyone"  # family, care organisation, emergency contact
    REMINDER = "reminder"  # everyone again: still unresolved
    RESOLVED = "resolved"  # everyone who was told anything: it is over


class PolicyError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Policy:
    claim_timeout_min: float = 10.0  # N
    volunteers_k: int = 3  # K
    checkin_timeout_min: float = 30.0  # M: to accept and report a check-in
    reescalate_min: float = 45.0  # claimed but unresolved
    reminder_min: float = 30.0
    max_reminders: int = 3
    critical_kinds: tuple[str, ...] = ("panic", "fall")

    def is_critical(self, kind: str, severity: str) -> bool:
        return severity == "critical" or kind in self.critical_kinds

    def escalates(self, kind: str, severity: str) -> bool:
        return severity != "info" or self.is_critical(kind, severity)


DEFAULT_POLICY = Policy()


def policy_from(overrides: Mapping[str, object], base: Policy = DEFAULT_POLICY) -> Policy:
    """A home's policy: the default with the given fields replaced (validated)."""
    known = {f.name: f.type for f in fields(Policy)}
    changes: dict[str, object] = {}
    for name, value in overrides.items():
        if name not in known:
            raise PolicyError(f"unknown policy field {name!r}")
        if name == "critical_kinds":
            if not isinstance(value, list | tuple) or not all(isinstance(k, str) for k in value):
                raise PolicyError("critical_kinds must be a list of incident kinds")
            changes[name] = tuple(value)
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise PolicyError(f"{name} must be a non-negative number")
        else:
            changes[name] = int(value) if name in ("volunteers_k", "max_reminders") else value
    return replace(base, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Step:
    stage: Stage
    next_at: datetime | None
    tell: tuple[Audience, ...]
    repeats: int = 0
    reason: str = ""


def first_step(kind: str, severity: str, now: datetime, policy: Policy) -> Step:
    if policy.is_critical(kind, severity):
        return Step(
            Stage.EVERYONE,
            now + _min(policy.reminder_min),
            (Audience.EVERYONE, Audience.VOLUNTEERS),
            reason="critical",
        )
    if not policy.escalates(kind, severity):
        return Step(Stage.FAMILY, None, (Audience.FAMILY,))  # resolving it still tells them
    return Step(Stage.FAMILY, now + _min(policy.claim_timeout_min), (Audience.FAMILY,))


def next_step(
    stage: Stage, incident_state: str, repeats: int, now: datetime, policy: Policy
) -> Step:
    """What to do when an escalation's timer fires (or its incident was resolved)."""
    if incident_state not in OPEN_STATES:
        return Step(Stage.DONE, None, (Audience.RESOLVED,), repeats)
    if stage is Stage.FAMILY:
        reason = (
            f"claimed but unresolved after {policy.reescalate_min:g} min"
            if incident_state == "claimed"
            else f"nobody claimed it within {policy.claim_timeout_min:g} min"
        )
        return Step(
            Stage.VOLUNTEERS,
            now + _min(policy.checkin_timeout_min),
            (Audience.VOLUNTEERS,),
            repeats,
            reason,
        )
    if stage is Stage.VOLUNTEERS:
        return Step(
            Stage.EVERYONE,
            now + _min(policy.reminder_min),
            (Audience.EVERYONE,),
            repeats,
            "no check-in report in time",
        )
    if repeats < policy.max_reminders:
        next_at = now + _min(policy.reminder_min) if repeats + 1 < policy.max_reminders else None
        return Step(Stage.EVERYONE, next_at, (Audience.REMINDER,), repeats + 1, "still unresolved")
    return Step(Stage.EVERYONE, None, (), repeats)


def after_claim(now: datetime, policy: Policy, kind: str, severity: str) -> datetime | None:
    """When a claimed incident is re-escalated if nobody resolves it (None: never)."""
    return now + _min(policy.reescalate_min) if policy.escalates(kind, severity) else None


def _min(minutes: float) -> timedelta:
    return timedelta(minutes=minutes)

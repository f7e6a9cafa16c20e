"""Scenarios that change what the resident does: falls, staying in bed, wandering off..."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from devices.signals import Role, Room
from simulators.resident import ACTIVE_S, ASLEEP_S, DOZING_S, STILL_S, Activity, ResidentParams
from simulators.scenario import FAR_FUTURE, Effects, Recorder, ScenarioSpec


@dataclass
class _Cut:
    """Where the normal day was interrupted: the moment, the room, the activity cut."""

    moment: datetime = FAR_FUTURE
    room: Room = Room.HALL
    interrupted: Activity | None = None


def _until(acts: Iterator[Activity], at: datetime, cut: _Cut) -> Iterator[Activity]:
    """The normal life up to `at` (or up to coming home, if out then), cutting short what is
    in progress; `cut` tells where things stood."""
    for act in acts:
        if act.end <= at:
            yield act
            continue
        if act.room is None:
            yield act
            cut.moment, cut.room = act.end, Room.HALL
        else:
            cut.moment, cut.room = max(at, act.start), act.room
            if act.start < cut.moment:
                yield replace(act, end=cut.moment)
            cut.interrupted = act
        return


def _resume(acts: Iterator[Activity], cut: _Cut, after: datetime) -> Iterator[Activity]:
    """The normal life again from `after`: skip what was missed, join what is in progress."""
    pending = [cut.interrupted] if cut.interrupted else []
    for act in itertools.chain(pending, acts):
        if act.end <= after:
            continue
        yield replace(act, start=after) if act.start < after else act


def fall(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    def transform(acts: Iterator[Activity]) -> Iterator[Activity]:
        cut = _Cut()
        yield from _until(acts, spec.at, cut)
        room = spec.room or cut.room
        record(cut.moment, room, {})
        yield Activity("fallen", cut.moment, FAR_FUTURE, room, STILL_S, final=True)

    effects.activity_transforms.append(transform)


def long_bathroom_stay(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    stay = spec.duration("for", 3.0)

    def transform(acts: Iterator[Activity]) -> Iterator[Activity]:
        cut = _Cut()
        yield from _until(acts, spec.at, cut)
        back = cut.moment + stay
        record(cut.moment, Room.BATHROOM, {"ends_at": back.isoformat()})
        # Stuck or unwell: the bathroom PIR sees a movement now and then, nothing else does.
        yield Activity("bathroom stay", cut.moment, back, Room.BATHROOM, DOZING_S)
        yield from _resume(acts, cut, back)

    effects.activity_transforms.append(transform)


def night_wandering(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    def transform(acts: Iterator[Activity]) -> Iterator[Activity]:
        cut = _Cut()
        yield from _until(acts, spec.at, cut)
        leave = cut.moment + timedelta(minutes=2)
        yield Activity("wander", cut.moment, leave, Room.HALL, ACTIVE_S)
        record(leave, Room.HALL, {})
        yield Activity("wandered off", leave, FAR_FUTURE, None, STILL_S, (Role.ENTRANCE,), True)

    effects.activity_transforms.append(transform)


def not_coming_home(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    def transform(acts: Iterator[Activity]) -> Iterator[Activity]:
        for act in acts:
            if act.room is not None or act.start < spec.at:
                yield act
                continue
            # The next outing from the cue: left as usual, never came back.
            record(act.end, None, {"left_at": act.start.isoformat()})
            yield replace(act, end=FAR_FUTURE, final=True)
            return

    effects.activity_transforms.append(transform)


def not_getting_up(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    def transform(acts: Iterator[Activity]) -> Iterator[Activity]:
        previous: Activity | None = None
        for act in acts:
            if previous is not None and act.name == "get up" and act.start >= spec.at:
                record(act.start, Room.BEDROOM, {})
                # Still in bed, barely moving, from when they would have got up.
                yield replace(previous, end=FAR_FUTURE, movement_s=ASLEEP_S, final=True)
                return
            if previous is not None:
                yield previous
            previous = act

    effects.activity_transforms.append(transform)


def holiday(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    away = spec.duration("for", 7 * 24.0)

    def transform(acts: Iterator[Activity]) -> Iterator[Activity]:
        cut = _Cut()
        yield from _until(acts, spec.at, cut)
        back = cut.moment + away
        record(cut.moment, None, {"back_at": back.isoformat()})
        yield Activity("holiday", cut.moment, back, None, STILL_S, (Role.ENTRANCE,))
        yield from _resume(acts, cut, back)

    effects.activity_transforms.append(transform)


def slow_decline(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    """Over `weeks`: rising up to an hour later, twice the night trips, far fewer snacks,
    outings and lunches (fewer kitchen visits)."""
    weeks = spec.number("weeks", 6)
    began = spec.at.astimezone(effects.layout.zone).date()
    record(spec.at, None, {"weeks": weeks})

    def drift(day: date, params: ResidentParams) -> ResidentParams:
        p = min(1.0, max(0.0, (day - began).days / (7 * weeks)))
        return replace(
            params,
            wake_h=params.wake_h + 1.0 * p,
            night_trips=params.night_trips * (1 + p),
            snacks=params.snacks * (1 - 0.8 * p),
            outing_prob=params.outing_prob * (1 - 0.6 * p),
            skip_lunch_prob=max(params.skip_lunch_prob, 0.5 * p),
        )

    effects.drifts.append(drift)


def night_trips_up(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    """From WHEN, `times` as many bathroom trips a night, for `for`: often the first sign of
    a urinary infection, which comes on within days rather than weeks."""
    times = spec.number("times", 2)
    until = spec.at + spec.duration("for", 14 * 24.0)
    zone = effects.layout.zone
    began, ended = spec.at.astimezone(zone).date(), until.astimezone(zone).date()
    record(spec.at, None, {"times": times, "until": until.isoformat()})

    def drift(day: date, params: ResidentParams) -> ResidentParams:
        if began <= day < ended:
            return replace(params, night_trips=params.night_trips * times)
        return params

    effects.drifts.append(drift)

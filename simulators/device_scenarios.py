"""Scenarios that change what the devices say: cold, dying batteries, outages, bad clocks..."""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta

from devices.signals import Signal
from simulators.event import Event
from simulators.liveness import Thermal
from simulators.scenario import FAR_FUTURE, Effects, Recorder, ScenarioSpec
from simulators.wire import HUB

# Zigbee2MQTT's availability timeouts: 10 min for mains devices, 25 h for battery ones.
MAINS_TIMEOUT = timedelta(minutes=10)
BATTERY_TIMEOUT = timedelta(hours=25)


def heating_failure(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    outdoor_c = spec.number("outdoor_c", 5.0)
    tau_h = spec.number("tau_h", 10.0)
    heated: Thermal = effects.thermal

    def failing(at: datetime) -> float:
        if at < spec.at:
            return heated(at)
        hours = (at - spec.at).total_seconds() / 3600
        return outdoor_c + (heated(spec.at) - outdoor_c) * math.exp(-hours / tau_h)

    effects.thermal = failing
    record(spec.at, None, {"outdoor_c": outdoor_c, "tau_h": tau_h})


def battery_dying(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    device_id = effects.device_id(spec, "hall-pir")
    dead_at = spec.at + spec.duration("for", 48.0)
    record(spec.at, None, {"device": device_id, "dead_at": dead_at.isoformat()})

    def transform(events: Iterator[Event]) -> Iterator[Event]:
        start_pct: float | None = None
        for e in events:
            if e.device_id != device_id or e.at < spec.at:
                yield e
            elif e.at < dead_at:
                if Signal.BATTERY_PCT in e.signals:
                    start_pct = start_pct or e.signals[Signal.BATTERY_PCT]
                    left = (dead_at - e.at) / (dead_at - spec.at)
                    yield replace(
                        e, signals={**e.signals, Signal.BATTERY_PCT: round(start_pct * left)}
                    )
                else:
                    yield e
            # dead: nothing more from this device

    effects.event_transforms.append(transform)


def device_offline(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    device_id = effects.device_id(spec, "kitchen-pir")
    back = spec.at + spec.duration("for", 0) if "for" in spec.options else FAR_FUTURE
    device = effects.layout.device(device_id)
    noticed = spec.at + (BATTERY_TIMEOUT if device.on_battery else MAINS_TIMEOUT)
    record(spec.at, device.room, {"device": device_id, "back_at": _iso(back)})
    notes = []
    if noticed < back:  # the bridge only says so once its availability timeout has passed
        notes.append(_availability(effects, device_id, noticed, online=False))
        if back < FAR_FUTURE:
            notes.append(_availability(effects, device_id, back, online=True))
    _drop_window(effects, notes, lambda e: e.device_id == device_id, spec.at, back)


def hub_offline(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    back = spec.at + spec.duration("for", 2.0)
    record(spec.at, None, {"back_at": back.isoformat()})
    notes = [_availability(effects, HUB, spec.at, online=False)]
    notes.append(_availability(effects, HUB, back, online=True))
    _drop_window(effects, notes, lambda e: True, spec.at, back)


def network_flapping(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    """The hub's link drops every `period`: half the time down. Reports made while down are
    delivered on reconnection, late, stamped with the time they were made."""
    until = spec.at + spec.duration("for", 1.0)
    period = spec.duration("period", 0.1)
    downs = []
    t = spec.at
    while t < until:
        downs.append((t + period / 2, min(t + period, until)))
        t += period
    record(spec.at, None, {"until": until.isoformat(), "period_s": period.total_seconds()})
    notes = [
        _availability(effects, HUB, moment, online=online)
        for down, up in downs
        for moment, online in ((down, False), (up, True))
    ]

    def transform(events: Iterator[Event]) -> Iterator[Event]:
        windows = iter(downs)
        down, up = next(windows, (FAR_FUTURE, FAR_FUTURE))
        held: list[Event] = []
        for e in events:
            while e.at >= up:
                yield from (replace(h, at=up, device_at=h.device_at or h.at) for h in held)
                held = []
                down, up = next(windows, (FAR_FUTURE, FAR_FUTURE))
            if down <= e.at < up and e.device_id != HUB:
                held.append(e)
            else:
                yield e
        yield from held

    effects.event_transforms.append(lambda events: transform(_merge(events, notes)))


def clock_late(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    device_id = effects.device_id(spec, "living-pir")
    late = spec.duration("by", 10 / 60)
    record(spec.at, None, {"device": device_id, "late_s": late.total_seconds()})

    def transform(events: Iterator[Event]) -> Iterator[Event]:
        for e in events:
            if e.device_id == device_id and e.at >= spec.at:
                yield replace(e, device_at=(e.device_at or e.at) - late)
            else:
                yield e

    effects.event_transforms.append(transform)


GARBAGE = (
    b"{not json",
    b"",
    b"\xff\xfe\x00garbage",
    b"[]",
    b"null",
    b'{"signals":{"motion":"yes"}}',
    b'{"signals":{"warp_drive":1}}',
    b'{"at":"yesterday","signals":{"motion":1}}',
    b'{"at":"2026-01-01T00:00:00","signals":{"motion":1}}',
    b'{"signals":{"motion":1e999}}',
    b'{"signals":{}}',
    b'{"signals":' + b"[1," * 5000 + b"]",
)


def garbage(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    count = int(spec.number("count", len(GARBAGE)))
    span = spec.duration("for", 1.0)
    rng = random.Random(f"{effects.home_id}/{spec.at.isoformat()}/garbage")
    devices = [d.id for d in effects.layout.devices]
    notes = sorted(
        (
            Event(spec.at + span * rng.random(), effects.home_id, rng.choice(devices), {}, raw=raw)
            for raw in (GARBAGE[n % len(GARBAGE)] for n in range(count))
        ),
        key=lambda e: e.at,
    )
    record(spec.at, None, {"count": count})
    effects.event_transforms.append(lambda events: _merge(events, notes))


def panic_press(spec: ScenarioSpec, effects: Effects, record: Recorder) -> None:
    device_id = effects.device_id(spec, "panic-button")
    press = Event(spec.at, effects.home_id, device_id, {Signal.PANIC: 1.0}, detail="single")
    record(spec.at, effects.layout.device(device_id).room, {"device": device_id})
    effects.event_transforms.append(lambda events: _merge(events, [press]))


def _availability(effects: Effects, device_id: str, at: datetime, online: bool) -> Event:
    return Event(at, effects.home_id, device_id, {Signal.AVAILABLE: 1.0 if online else 0.0})


def _drop_window(
    effects: Effects,
    notes: list[Event],
    dropped: Callable[[Event], bool],
    start: datetime,
    end: datetime,
) -> None:
    """Silence what `dropped` selects between `start` and `end`; then add the `notes`."""

    def transform(events: Iterator[Event]) -> Iterator[Event]:
        return (e for e in events if not (start <= e.at < end and dropped(e)))

    effects.event_transforms.append(lambda events: _merge(transform(events), notes))


def _merge(events: Iterator[Event], extra: list[Event]) -> Iterator[Event]:
    return heapq.merge(events, sorted(extra, key=lambda e: e.at), key=lambda e: e.at)


def _iso(at: datetime) -> str | None:
    return None if at >= FAR_FUTURE else at.isoformat()

"""Turns a resident's activities into device reports the way real sensors fire.

PIRs follow the Aqara RTCGQ11LM / Zigbee2MQTT behaviour: a detection reports ``motion 1``,
the sensor is then blind for `blind_s` (movements go unseen and do not extend anything), and
``motion 0`` follows `timeout_s` after the last detection. Pressure mats report on/off, doors
open then close, plugs report power when an appliance starts and stops.

`SensorBank.render` is called with activities in time order; every event it returns is at or
after the start of the activity rendered (pending PIR clears included), which is what lets
`home.simulate` merge streams with a simple watermark.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from devices.signals import ACTIVITY_SIGNALS, Role, Room, Signal
from simulators.event import Event
from simulators.layout import Device, HomeLayout
from simulators.resident import Activity

VISITOR_S = 300.0  # a visitor in another room moves now and then


@dataclass(frozen=True, slots=True)
class PirSpec:
    blind_s: float = 60.0
    timeout_s: float = 90.0


class SensorBank:
    def __init__(self, layout: HomeLayout, rng: random.Random, pir: PirSpec = PirSpec()) -> None:
        self.layout = layout
        self.rng = rng
        self.pir = pir
        self._last_detection: dict[str, datetime] = {}
        self._pending_clear: dict[str, datetime] = {}

    def render(self, activity: Activity) -> list[Event]:
        """Reports caused by `activity`, in time order."""
        final = activity.final
        events = self._flush_clears(activity.start)
        if activity.room is None:
            events += self._leave_and_return(activity, final)
        else:
            events += self._movements(activity, final)
            if activity.company is not None:
                visitor = replace(activity, room=activity.company, movement_s=VISITOR_S)
                events += self._movements(visitor, final)
            for role in activity.uses:
                events += self._use(role, activity, final)
        # Nothing the person starts can happen after the activity ends (it may be cut short
        # by a scenario); releases such as a door closing or a kettle switching off may.
        events = [e for e in events if e.at <= activity.end or not _starts_something(e)]
        events.sort(key=lambda e: e.at)
        return events

    def flush(self, until: datetime) -> list[Event]:
        return self._flush_clears(until)

    def _event(self, device: Device, at: datetime, signals: dict[Signal, float]) -> Event:
        return Event(at, self.layout.home_id, device.id, signals)

    def _flush_clears(self, until: datetime) -> list[Event]:
        due = [(did, at) for did, at in self._pending_clear.items() if at <= until]
        for did, _ in due:
            del self._pending_clear[did]
        return [self._event(self.layout.device(did), at, {Signal.MOTION: 0}) for did, at in due]

    def _movements(self, activity: Activity, final: bool) -> list[Event]:
        pir = self.layout.motion_in(activity.room) if activity.room else None
        if pir is None:
            return []
        moments = [activity.start]
        if not math.isinf(activity.movement_s):
            t = activity.start
            while True:
                t += timedelta(seconds=self.rng.expovariate(1.0 / activity.movement_s))
                if t >= activity.end:
                    break
                moments.append(t)
            if not final:
                moments.append(activity.end - timedelta(seconds=self.rng.uniform(1, 10)))
        return [e for m in moments if m >= activity.start for e in self._detect(pir, m)]

    def _detect(self, pir: Device, at: datetime) -> list[Event]:
        last = self._last_detection.get(pir.id)
        if last is not None and at < last + timedelta(seconds=self.pir.blind_s):
            return []
        events = []
        clear = self._pending_clear.pop(pir.id, None)
        if clear is not None and clear <= at:
            events.append(self._event(pir, clear, {Signal.MOTION: 0}))
        self._last_detection[pir.id] = at
        self._pending_clear[pir.id] = at + timedelta(seconds=self.pir.timeout_s)
        events.append(self._event(pir, at, {Signal.MOTION: 1}))
        return events

    def _leave_and_return(self, activity: Activity, final: bool) -> list[Event]:
        """Going out: hall motion, door open/close; coming back: door, then hall motion."""
        events: list[Event] = []
        hall = self.layout.motion_in(Room.HALL)
        door = self.layout.with_role(Role.ENTRANCE)
        u = self.rng.uniform
        if hall is not None:
            events += self._detect(hall, activity.start)
        if door is not None:
            events += self._door(door, activity.start + timedelta(seconds=u(8, 20)), u(4, 10))
        if final:
            return events
        if door is not None:
            events += self._door(door, activity.end, u(4, 10))
        if hall is not None:
            events += self._detect(hall, activity.end)
        return events

    def _use(self, role: Role, activity: Activity, final: bool) -> list[Event]:
        device = self.layout.with_role(role)
        if device is None:
            return []
        start, end, span = activity.start, activity.end, activity.end - activity.start
        u = self.rng.uniform
        if role is Role.ENTRANCE:  # a visitor let in, and later out
            events = self._door(device, start + timedelta(seconds=u(2, 10)), u(4, 10))
            if final:
                return events
            return events + self._door(device, end - timedelta(seconds=u(20, 60)), u(4, 10))
        if role is Role.FRIDGE:
            events = self._door(device, start + _frac(span, u(0.1, 0.4)), u(8, 40))
            if span > timedelta(minutes=20):
                events += self._door(device, start + _frac(span, u(0.6, 0.8)), u(5, 25))
            return events
        if role in (Role.BED, Role.CHAIR):
            sit = self._event(device, start + _seconds(span, 0.02, 60), {Signal.OCCUPANCY: 1})
            if final:
                return [sit]
            rise = self._event(device, end - _seconds(span, 0.01, 30), {Signal.OCCUPANCY: 0})
            return [sit, rise]
        if role is Role.KETTLE:
            boil = start + timedelta(seconds=u(40, 150))
            watts = round(u(1800, 2200))
            return [
                self._event(device, boil, {Signal.POWER_W: watts}),
                self._event(device, boil + timedelta(seconds=u(120, 240)), {Signal.POWER_W: 0}),
            ]
        if role is Role.TV:
            watts = round(u(70, 110))
            on = self._event(device, start + _seconds(span, 0.03, 120), {Signal.POWER_W: watts})
            if final:
                return [on]
            return [on, self._event(device, end - _seconds(span, 0.02, 60), {Signal.POWER_W: 0.5})]
        return []

    def _door(self, device: Device, at: datetime, open_s: float) -> list[Event]:
        return [
            self._event(device, at, {Signal.CONTACT_OPEN: 1}),
            self._event(device, at + timedelta(seconds=open_s), {Signal.CONTACT_OPEN: 0}),
        ]


def _starts_something(event: Event) -> bool:
    # On/open/occupied are 1; appliances draw watts; standby (0.5 W) and releases are below 1.
    return any(s in ACTIVITY_SIGNALS and v >= 1.0 for s, v in event.signals.items())


def _frac(span: timedelta, fraction: float) -> timedelta:
    return span * fraction


def _seconds(span: timedelta, fraction: float, most_s: float) -> timedelta:
    """A small lag inside an activity: a fraction of it, at most `most_s`."""
    return min(span * fraction, timedelta(seconds=most_s))

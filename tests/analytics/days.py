"""Days of a resident written event by event, for tests of the detector's mechanisms."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from analytics.decision import Flag
from analytics.engine import HomeDetector
from analytics.home import HomeConfig, Observation, Sensor
from devices.signals import DeviceKind, Role, Room, Signal
from evaluation.replay import advance
from tests.analytics.simulated import flags

START = datetime.fromisoformat("2026-03-02T00:00:00+01:00")  # a Monday, local midnight
DAY = timedelta(days=1)
M, P, C, W = DeviceKind.MOTION, DeviceKind.PRESSURE, DeviceKind.CONTACT, DeviceKind.POWER
SENSORS = (
    Sensor("bedroom-pir", M, Room.BEDROOM),
    Sensor("bathroom-pir", M, Room.BATHROOM),
    Sensor("kitchen-pir", M, Room.KITCHEN),
    Sensor("living-pir", M, Room.LIVING),
    Sensor("hall-pir", M, Room.HALL),
    Sensor("front-door", C, Room.HALL, Role.ENTRANCE),
    Sensor("chair-mat", P, Room.LIVING, Role.CHAIR),
    Sensor("bedroom-light", W, Room.BEDROOM),
)
SIGNALS = {M: Signal.MOTION, P: Signal.OCCUPANCY, C: Signal.CONTACT_OPEN, W: Signal.SWITCH_ON}
Event = tuple[float, str, float]  # (minutes after the day's midnight, device, value)


def home(*devices: str) -> HomeDetector:
    sensors = {s.id: s for s in SENSORS if s.id in devices}
    return HomeDetector(HomeConfig("h", "Europe/Paris", sensors))


def feed(detector: HomeDetector, day: datetime, events: Iterable[Event]) -> list[Flag]:
    """Play `events` of one day through the detector, checks included; the flags raised."""
    raised: list[Flag] = []
    for minutes, device, value in events:
        at = day + timedelta(minutes=minutes)
        raised += flags(advance(detector, at))
        kind = detector.config.sensor(device).kind
        detector.observe(Observation(at, device, SIGNALS[kind], value, True))
    return raised


def daytime(rooms: tuple[str, ...] = ("kitchen-pir", "living-pir", "bathroom-pir")) -> list[Event]:
    """Up at 07:30, moving about the home every 20 minutes until 17:50."""
    events: list[Event] = [(450, "bedroom-pir", 1), (452, "bathroom-pir", 1)]
    events += [(470 + 20 * i, rooms[i % len(rooms)], 1) for i in range(31)]
    return events


def to_bed(at: float) -> list[Event]:
    return [(at, "hall-pir", 1), (at + 2, "bathroom-pir", 1), (at + 10, "bedroom-pir", 1)]

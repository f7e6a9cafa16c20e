"""What the detector knows about a home and what it is fed: sensors, places and observations.

Pure domain types. A *place* is the coarse part of the home a silence starts in; it is what
the routine model conditions on (a quiet hour after the bathroom means something else than a
quiet hour in the armchair).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from functools import cached_property
from zoneinfo import ZoneInfo

from analytics.calibration import SHIPPED, Calibration
from devices.signals import DeviceKind, Role, Room, Signal


class Place(IntEnum):
    BEDROOM = 0
    BATHROOM = 1
    KITCHEN = 2
    LIVING = 3
    OTHER = 4
    ENTRANCE = 5  # the front door: the silence that follows is usually an absence
    NIGHT_UP = 6  # anywhere but the bedroom, having got out of bed at night
    HALL = 7  # passing through: often on the way out


PLACE_NAMES = {
    Place.BEDROOM: "the bedroom",
    Place.BATHROOM: "the bathroom",
    Place.KITCHEN: "the kitchen",
    Place.LIVING: "the living room",
    Place.OTHER: "the home",
    Place.ENTRANCE: "the front door",
    Place.NIGHT_UP: "the home, up from bed",
    Place.HALL: "the hall",
}
ROOM_NAMES = {
    Room.BEDROOM: "the bedroom",
    Room.BATHROOM: "the bathroom",
    Room.TOILET: "the toilet",
    Room.KITCHEN: "the kitchen",
    Room.LIVING: "the living room",
    Room.HALL: "the hall",
    Room.OFFICE: "the office",
    Room.OTHER: "another room",
}


@dataclass(frozen=True, slots=True)
class Sensor:
    id: str
    kind: DeviceKind = DeviceKind.OTHER
    room: Room = Room.OTHER
    role: Role = Role.NONE

    @property
    def place(self) -> Place:
        if self.role == Role.ENTRANCE:
            return Place.ENTRANCE
        if self.role == Role.BED or self.room == Room.BEDROOM:
            return Place.BEDROOM
        if self.room in (Room.BATHROOM, Room.TOILET):
            return Place.BATHROOM
        if self.room == Room.KITCHEN:
            return Place.KITCHEN
        if self.room == Room.LIVING:
            return Place.LIVING
        if self.room == Room.HALL:
            return Place.HALL
        return Place.OTHER


UNKNOWN_SENSOR = Sensor("?")


@dataclass(frozen=True)
class HomeConfig:
    home_id: str
    timezone: str = "UTC"
    sensors: Mapping[str, Sensor] = field(default_factory=dict)
    sensitivity: float = 1.0  # > 1: alert sooner; < 1: later (homes.sensitivity)
    away_until: datetime | None = None  # declared holiday (homes.away_until)
    calibration: Calibration = SHIPPED  # fitted on other homes (`veille eval` re-fits it)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def sensor(self, device_id: str) -> Sensor:
        return self.sensors.get(device_id, UNKNOWN_SENSOR)

    @cached_property
    def sees_motion(self) -> bool:
        """Some motion sensor: else (doors, cupboards, appliances only) the resident is seen
        only when she touches something, and time in an armchair anywhere is silence."""
        return any(s.kind == DeviceKind.MOTION for s in self.sensors.values())


@dataclass(frozen=True, slots=True)
class Observation:
    """One event the detector is fed, in event time.

    `activity` is the verdict of `devices.activity` (a person caused it); non-activity
    observations still matter for temperature and panic.
    """

    at: datetime
    device_id: str
    signal: Signal
    value: float
    activity: bool
    detail: str = ""


def signal_of(sensor: Sensor) -> Signal:
    """The signal a dataset sensor's 0/1 record stands for."""
    if sensor.role == Role.PANIC:
        return Signal.PANIC
    return {
        DeviceKind.MOTION: Signal.MOTION,
        DeviceKind.CONTACT: Signal.CONTACT_OPEN,
        DeviceKind.PRESSURE: Signal.OCCUPANCY,
        DeviceKind.POWER: Signal.SWITCH_ON,
        DeviceKind.BUTTON: Signal.BUTTON,
        DeviceKind.TEMPERATURE: Signal.TEMPERATURE_C,
        DeviceKind.LEAK: Signal.WATER_LEAK,
        DeviceKind.VIBRATION: Signal.VIBRATION,
    }.get(sensor.kind, Signal.SWITCH_ON)  # no known kind (a sink's flow): a state she switches

"""What sensors say, in Veille's own words: signals, readings and the device vocabulary.

Pure data: no I/O, stdlib only. Every ecosystem codec translates into these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Signal(StrEnum):
    """A measured quantity. The value of a reading is always a float (booleans as 0/1)."""

    MOTION = "motion"  # 1 = movement detected (rising edge is the activity signal)
    CONTACT_OPEN = "contact_open"  # 1 = open (Zigbee2MQTT's contact:false)
    OCCUPANCY = "occupancy"  # bed/chair pressure: 1 = someone on it
    BUTTON = "button"  # a press; value is 1 (the action name is kept in Reading.detail)
    PANIC = "panic"  # panic button or fall sensor: always critical
    WATER_LEAK = "water_leak"
    VIBRATION = "vibration"
    SWITCH_ON = "switch_on"  # a plug's relay state
    POWER_W = "power_w"
    ENERGY_KWH = "energy_kwh"
    TEMPERATURE_C = "temperature_c"
    HUMIDITY_PCT = "humidity_pct"
    BATTERY_PCT = "battery_pct"
    LINK_QUALITY = "link_quality"
    AVAILABLE = "available"  # 1 = the device (or its bridge) says it is online
    # A generic input (Tasmota Switch1, a Shelly input in switch mode, an ESPHome binary
    # sensor without a device class): 1 = on/closed. What it means depends on what is wired
    # to it, so the registry's kind decides (devices/wiring.py); unassigned it is no activity.
    INPUT = "input"


# Signals whose change can only come from a person in the home. Battery, link quality,
# temperature and availability prove the *device* is alive, not the resident.
ACTIVITY_SIGNALS: frozenset[Signal] = frozenset(
    {
        Signal.MOTION,
        Signal.CONTACT_OPEN,
        Signal.OCCUPANCY,
        Signal.BUTTON,
        Signal.PANIC,
        Signal.VIBRATION,
        Signal.SWITCH_ON,
        Signal.POWER_W,
    }
)


class DeviceKind(StrEnum):
    MOTION = "motion"
    CONTACT = "contact"
    PRESSURE = "pressure"
    POWER = "power"
    BUTTON = "button"
    TEMPERATURE = "temperature"
    LEAK = "leak"
    VIBRATION = "vibration"
    SWITCH = "switch"  # a wall switch on a generic input
    OTHER = "other"


class Room(StrEnum):
    BEDROOM = "bedroom"
    BATHROOM = "bathroom"
    TOILET = "toilet"
    KITCHEN = "kitchen"
    LIVING = "living"
    HALL = "hall"
    OFFICE = "office"
    OTHER = "other"


class Role(StrEnum):
    """What a device tells about the person, beyond its room."""

    NONE = ""
    ENTRANCE = "entrance"
    FRIDGE = "fridge"
    BED = "bed"
    CHAIR = "chair"
    TOILET_FLUSH = "toilet_flush"
    KETTLE = "kettle"
    TV = "tv"
    PANIC = "panic"
    CUPBOARD = "cupboard"


@dataclass(frozen=True, slots=True)
class Reading:
    """One value a device reported. `at` is the device's own clock when it is trustworthy."""

    signal: Signal
    value: float
    at: datetime | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Message:
    """What one MQTT message meant, before ingest decides what counts as activity.

    `source` identifies the device within its ecosystem (e.g. ``z2m:kitchen/pir``);
    `home_id`/`device_id` are set only when the topic itself names them (native scheme).
    """

    source: str
    readings: tuple[Reading, ...] = ()
    home_id: str | None = None
    device_id: str | None = None
    model: str = ""
    meta: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ignored:
    """A message understood and deliberately not stored (a command, a duplicate of a state
    message, bridge chatter): counted by ingest, explained by `veille devices decode`."""

    reason: str


class DecodeError(ValueError):
    """A payload that cannot be understood; ingest dead-letters it with this reason."""

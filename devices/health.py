"""Kinds of silence: why a device says nothing, so a dead battery is never read as a person
who stopped moving. Pure: the caller passes what storage knows and `now`.

- ``bridge_offline``: the device is silent and the hub it talks through says it is offline
  (Zigbee2MQTT's bridge/state); every device behind it goes quiet together.
- ``offline``: its bridge or the device itself said offline, or nothing was heard from it for
  longer than its kind reports at the least.
- ``stuck``: a motion sensor that has not fired for days while others in the home do.
- ``low_battery``: still reporting, but soon not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from devices.signals import DeviceKind


class Silence(StrEnum):
    NONE = ""
    OFFLINE = "offline"
    BRIDGE_OFFLINE = "bridge_offline"
    LOW_BATTERY = "low_battery"
    STUCK = "stuck"


# The longest a healthy device of each kind stays quiet. Battery Zigbee sensors report at
# least daily (Zigbee2MQTT's own availability timeout for them is 25 h); mains plugs and
# meters report every few minutes (Tasmota's TelePeriod is 300 s).
MAX_QUIET: dict[DeviceKind, timedelta] = {DeviceKind.POWER: timedelta(hours=1)}
DEFAULT_MAX_QUIET = timedelta(hours=25)
LOW_BATTERY_PCT = 15.0  # below this: low; one threshold for ingest, the detector and the digest
STUCK_AFTER = timedelta(days=3)
OTHERS_ACTIVE_WITHIN = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    home_id: str
    device_id: str
    kind: DeviceKind
    bridge: str | None  # the bridge's source when the device talks through one
    registered_at: datetime
    last_seen_at: datetime | None
    last_activity_at: datetime | None
    battery_pct: float | None
    available: bool | None


def bridge_of(source: str | None) -> str | None:
    """Zigbee2MQTT devices (`z2m:<name>`) talk through the bridge of their installation."""
    return "z2m-bridge:" if source is not None and source.startswith("z2m:") else None


def classify(
    devices: Iterable[DeviceHealth], bridges_offline: set[str], now: datetime
) -> dict[tuple[str, str], Silence]:
    """The silence of each device. `bridges_offline` holds the bridge sources said offline."""
    devices = list(devices)
    latest_motion: dict[str, datetime] = {}
    for d in devices:
        if d.kind is DeviceKind.MOTION and d.last_activity_at is not None:
            latest_motion[d.home_id] = max(
                d.last_activity_at, latest_motion.get(d.home_id, d.last_activity_at)
            )
    return {
        (d.home_id, d.device_id): _silence(d, bridges_offline, latest_motion, now) for d in devices
    }


def _silence(
    d: DeviceHealth, bridges_offline: set[str], latest_motion: dict[str, datetime], now: datetime
) -> Silence:
    heard = d.last_seen_at or d.registered_at
    quiet = now - heard > MAX_QUIET.get(d.kind, DEFAULT_MAX_QUIET)
    silent = quiet or d.available is False
    if silent and d.bridge is not None and any(b.startswith(d.bridge) for b in bridges_offline):
        return Silence.BRIDGE_OFFLINE
    if silent:
        return Silence.OFFLINE
    if d.kind is DeviceKind.MOTION:
        fired = d.last_activity_at or d.registered_at
        others = latest_motion.get(d.home_id)
        if now - fired > STUCK_AFTER and others is not None and now - others < OTHERS_ACTIVE_WITHIN:
            return Silence.STUCK
    if d.battery_pct is not None and d.battery_pct < LOW_BATTERY_PCT:
        return Silence.LOW_BATTERY
    return Silence.NONE

"""Person or sensor? Device health as the detector sees it, decided before any inactivity flag.

A silence only means "the resident is not moving" while the system can still hear the home.
If nothing at all (not even a battery or link report) has been heard since the last movement,
or the bridge says it is offline, the honest message is *monitoring lost*.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from devices.health import LOW_BATTERY_PCT

SENSOR_SILENT_AFTER = timedelta(hours=26)  # most sensors check in at least daily
HEARD_GRACE = timedelta(seconds=60)
# Healthy Zigbee sensors check in (battery, link quality) about hourly even when nobody moves,
# so hearing nothing for longer than this since the last movement means we have lost the home.
CHECKIN_GAP = timedelta(minutes=90)


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    device_id: str
    last_seen_at: datetime | None
    last_activity_at: datetime | None = None
    battery_pct: float | None = None
    available: bool | None = None
    silence: str = ""  # device_status.silence: '', offline, bridge_offline, low_battery, stuck


@dataclass(frozen=True, slots=True)
class Health:
    lost: bool  # the home cannot be heard: an inactivity flag would be a guess
    reason: str = ""
    silent_sensors: tuple[str, ...] = ()  # maintenance: silent while others report
    low_batteries: tuple[tuple[str, float], ...] = ()
    last_heard_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)


def assess(devices: Sequence[DeviceHealth], now: datetime, since: datetime | None) -> Health:
    """Health of a home's devices at `now`; `since` is the resident's last activity."""
    heard = [d.last_seen_at for d in devices if d.last_seen_at is not None]
    if not heard:
        return Health(lost=False)  # no status known (e.g. offline replay): no evidence either way
    last_heard = max(heard)
    low = tuple(
        (d.device_id, d.battery_pct)
        for d in devices
        if d.battery_pct is not None and d.battery_pct < LOW_BATTERY_PCT
    )
    alive = [
        d
        for d in devices
        if d.last_seen_at is not None and now - d.last_seen_at < SENSOR_SILENT_AFTER
    ]
    silent = tuple(sorted(d.device_id for d in devices if d.last_seen_at and d not in alive))
    silent = silent if alive else ()
    if any(d.silence == "bridge_offline" for d in devices):
        return Health(True, "the hub reports that it is offline", silent, low, last_heard)
    if all(d.available is False or d.silence == "offline" for d in devices):
        return Health(True, "every sensor reports that it is offline", silent, low, last_heard)
    if since is not None and last_heard <= since + HEARD_GRACE and now - last_heard >= CHECKIN_GAP:
        return Health(True, "no sensor has reported anything since then", silent, low, last_heard)
    return Health(False, "", silent, low, last_heard)

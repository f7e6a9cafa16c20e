"""Reports devices send whether or not anyone moves: battery, link quality, temperature.

These prove a device is alive, not the resident; a fall must leave them untouched.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from devices.signals import DeviceKind, Signal
from simulators.event import Event
from simulators.layout import Device, HomeLayout

# Indoor temperature (°C) at a simulated instant; scenarios swap it for a failing heating.
Thermal = Callable[[datetime], float]


@dataclass(frozen=True, slots=True)
class LivenessSpec:
    report_s: float = 3600.0  # basic report of battery devices (Aqara: about hourly)
    mains_report_s: float = 3600.0  # link quality of mains devices
    temperature_s: float = 600.0
    drain_pct_per_day: float = 0.03


def comfortable(at: datetime) -> float:
    """A heated flat: 20.5 °C, a degree warmer in the afternoon sun."""
    hours = at.timestamp() / 3600.0
    return 20.5 + math.sin(2 * math.pi * (hours - 9.0) / 24.0)


def reports(
    layout: HomeLayout,
    seed: int,
    start: datetime,
    thermal: Thermal = comfortable,
    spec: LivenessSpec = LivenessSpec(),
) -> Iterator[Event]:
    """Endless liveness reports of every device from `start`, in time order."""
    streams = [_device_reports(layout.home_id, d, seed, start, spec) for d in layout.devices]
    streams += [
        _temperatures(layout.home_id, d, seed, start, thermal, spec)
        for d in layout.devices
        if d.kind is DeviceKind.TEMPERATURE
    ]
    return heapq.merge(*streams, key=lambda e: e.at)


def _device_reports(
    home_id: str, device: Device, seed: int, start: datetime, spec: LivenessSpec
) -> Iterator[Event]:
    rng = random.Random(f"{seed}/{home_id}/{device.id}/liveness")
    period = spec.report_s if device.on_battery else spec.mains_report_s
    at = start + timedelta(seconds=rng.uniform(0, period))
    battery = rng.uniform(55.0, 100.0)
    link = rng.uniform(40.0, 200.0)
    while True:
        link = max(0.0, min(255.0, link + rng.gauss(0, 8)))
        signals = {Signal.LINK_QUALITY: float(round(link))}
        if device.on_battery:
            days = (at - start).total_seconds() / 86400
            signals[Signal.BATTERY_PCT] = float(
                max(0, round(battery - spec.drain_pct_per_day * days))
            )
        yield Event(at, home_id, device.id, signals)
        at += timedelta(seconds=period * rng.uniform(0.9, 1.1))


def _temperatures(
    home_id: str, device: Device, seed: int, start: datetime, thermal: Thermal, spec: LivenessSpec
) -> Iterator[Event]:
    rng = random.Random(f"{seed}/{home_id}/{device.id}/temperature")
    at = start + timedelta(seconds=rng.uniform(0, spec.temperature_s))
    while True:
        celsius = round(thermal(at) + rng.gauss(0, 0.1), 1)
        humidity = round(45 + rng.gauss(0, 2), 1)
        yield Event(
            at, home_id, device.id, {Signal.TEMPERATURE_C: celsius, Signal.HUMIDITY_PCT: humidity}
        )
        at += timedelta(seconds=spec.temperature_s)

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
    """Endless liveness reports of every device from `start`, in time order.

    One generator and one random stream per home, not per device: with 10,000 homes in a
    process, per-device generators and Mersenne Twister states would cost hundreds of MB.
    """
    rng = random.Random(f"{seed}/{layout.home_id}/liveness")
    home_id = layout.home_id
    battery = {d.id: rng.uniform(55.0, 100.0) for d in layout.devices if d.on_battery}
    link = {d.id: rng.uniform(40.0, 200.0) for d in layout.devices}
    due: list[tuple[datetime, int, Device, bool]] = []  # (when, order, device, thermometer?)
    for n, device in enumerate(layout.devices):
        period = spec.report_s if device.on_battery else spec.mains_report_s
        due.append((start + timedelta(seconds=rng.uniform(0, period)), n, device, False))
        if device.kind is DeviceKind.TEMPERATURE:
            first = start + timedelta(seconds=rng.uniform(0, spec.temperature_s))
            due.append((first, n, device, True))
    heapq.heapify(due)
    while True:
        at, n, device, thermometer = heapq.heappop(due)
        if thermometer:
            celsius = round(thermal(at) + rng.gauss(0, 0.1), 1)
            humidity = round(45 + rng.gauss(0, 2), 1)
            signals = {Signal.TEMPERATURE_C: celsius, Signal.HUMIDITY_PCT: humidity}
            heapq.heappush(due, (at + timedelta(seconds=spec.temperature_s), n, device, True))
        else:
            link[device.id] = max(0.0, min(255.0, link[device.id] + rng.gauss(0, 8)))
            signals = {Signal.LINK_QUALITY: float(round(link[device.id]))}
            if device.id in battery:
                days = (at - start).total_seconds() / 86400
                pct = battery[device.id] - spec.drain_pct_per_day * days
                signals[Signal.BATTERY_PCT] = float(max(0, round(pct)))
            period = spec.report_s if device.on_battery else spec.mains_report_s
            next_at = at + timedelta(seconds=period * rng.uniform(0.9, 1.1))
            heapq.heappush(due, (next_at, n, device, False))
        yield Event(at, home_id, device.id, signals)

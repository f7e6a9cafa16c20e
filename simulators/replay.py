"""Replay a real home from ../shared/data: its sensor records as events of a simulated home.

Records keep their local time of day; whole days are shifted so that the dataset's first day
falls on the day of `first_day`. Each sensor becomes a device (id, kind, room and role from
the dataset's sensor map) and each state change a report:

| kind | signal |
|---|---|
| motion | motion |
| contact | contact_open |
| pressure | occupancy |
| power | switch_on (the datasets only say on/off) |
| button | button (presses only) |
| leak | water_leak |
| anything else | vibration (a binary "something moved" from an unlisted sensor type) |
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime

from devices.datasets import Record, SensorMap, load_map, parse_home
from devices.signals import DeviceKind, Signal
from simulators.event import Event
from simulators.layout import Device, HomeLayout
from simulators.scenario import GroundTruth

SIGNAL_FOR_KIND = {
    DeviceKind.MOTION: Signal.MOTION,
    DeviceKind.CONTACT: Signal.CONTACT_OPEN,
    DeviceKind.PRESSURE: Signal.OCCUPANCY,
    DeviceKind.POWER: Signal.SWITCH_ON,
    DeviceKind.BUTTON: Signal.BUTTON,
    DeviceKind.LEAK: Signal.WATER_LEAK,
}


def replay_layout(sensor_map: SensorMap, home_id: str) -> HomeLayout:
    devices = tuple(
        Device(sensor_id, info.kind, info.room, info.role, model=info.label)
        for sensor_id, info in sorted(sensor_map.sensors.items())
    )
    return HomeLayout(home_id, sensor_map.timezone, devices, name=f"Replay of {sensor_map.name}")


def replay_events(records: list[Record], layout: HomeLayout, first_day: date) -> Iterator[Event]:
    """Events for the records' state changes (repeats of a state are dropped)."""
    if not records:
        return
    zone = layout.zone
    shift = first_day - records[0].at.date()
    state: dict[str, float] = {}
    previous = datetime.min.replace(tzinfo=UTC)
    for record in records:
        if state.get(record.sensor) == record.value:
            continue
        state[record.sensor] = record.value
        device = layout.device(record.sensor)
        signal = SIGNAL_FOR_KIND.get(device.kind, Signal.VIBRATION)
        if signal is Signal.BUTTON and record.value < 1:
            continue
        local = (record.at + shift).replace(tzinfo=zone)
        # A repeated hour when clocks go back would run backwards: keep the stream ordered.
        at = max(local.astimezone(UTC), previous)
        previous = at
        yield Event(at, layout.home_id, record.sensor, {signal: record.value})


class Replay:
    """A dataset home as an event source for the runner, like a `Simulation`."""

    def __init__(
        self, dataset: str, home_id: str, first_day: date, until: datetime | None = None
    ) -> None:
        self.dataset = dataset
        self.until = until
        self.parsed = parse_home(dataset)
        self.layout = replay_layout(load_map(dataset), home_id)
        self.first_day = first_day
        self.truth: list[GroundTruth] = []

    def events(self) -> Iterator[Event]:
        events = replay_events(self.parsed.records, self.layout, self.first_day)
        if self.until is None:
            return events
        until = self.until
        return itertools.takewhile(lambda e: e.at < until, events)

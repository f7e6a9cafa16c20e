"""Offline: turn a recorded log into observations and run the same engine over it.

Checks happen exactly at the engine's deadlines, so a replay sees every flag at the moment
the live detector would have raised it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from analytics.decision import Decision, Flag
from analytics.home import HomeConfig, Observation, Sensor, signal_of
from devices.activity import ActivityTracker
from devices.datasets import Record, SensorMap
from devices.signals import Reading


class Detector(Protocol):
    def observe(self, obs: Observation) -> list[Decision]: ...
    def next_deadline(self, horizon: datetime | None = None) -> datetime | None: ...
    def check(self, now: datetime) -> list[Decision]: ...


def home_config(sensor_map: SensorMap) -> HomeConfig:
    sensors = {
        sid: Sensor(sid, info.kind, info.room, info.role)
        for sid, info in sensor_map.sensors.items()
    }
    return HomeConfig(sensor_map.name, sensor_map.timezone, sensors)


def observations(records: Iterable[Record], config: HomeConfig) -> Iterator[Observation]:
    """Records (naive local or aware) as observations in UTC, with ingest's activity verdict."""
    zone: ZoneInfo = config.zone
    tracker = ActivityTracker()
    for record in records:
        at = record.at if record.at.tzinfo else record.at.replace(tzinfo=zone)
        signal = signal_of(config.sensor(record.sensor))
        reading = Reading(signal, record.value)
        active = tracker.decide((config.home_id, record.sensor), reading, retained=False)
        yield Observation(at.astimezone(UTC), record.sensor, signal, record.value, active)


def advance(detector: Detector, until: datetime) -> list[Decision]:
    """Run every check due before `until` (exclusive)."""
    decisions: list[Decision] = []
    while (deadline := detector.next_deadline(until)) is not None and deadline < until:
        decisions += detector.check(deadline)
    return decisions


def replay(detector: Detector, stream: Iterable[Observation]) -> list[Decision]:
    decisions: list[Decision] = []
    for obs in stream:
        decisions += advance(detector, obs.at)
        decisions += detector.observe(obs)
    return decisions


def flags(decisions: Iterable[Decision]) -> list[Flag]:
    return [d for d in decisions if isinstance(d, Flag)]

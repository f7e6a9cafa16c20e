"""Ingest, the replay of recorded logs and the simulated homes give the same activity verdict
on the same streams, so the offline evaluations feed the detector what production feeds it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from analytics.home import HomeConfig, Sensor
from devices.activity import ActivityTracker
from devices.codec import Router
from devices.datasets import Record
from devices.signals import DeviceKind, Signal
from evaluation import replay, simulated
from ingest import batch as batches
from simulators.event import Event

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
# Each device's values in order, with the traps: a repeated motion 1 (a battery report's
# cache), a contact's first value, a mat released, a relay turned off, vibration's timeout.
STREAMS: dict[tuple[str, DeviceKind, Signal], tuple[float, ...]] = {
    ("pir", DeviceKind.MOTION, Signal.MOTION): (1, 1, 0, 1, 0),
    ("door", DeviceKind.CONTACT, Signal.CONTACT_OPEN): (1, 0, 0, 1),
    ("bed", DeviceKind.PRESSURE, Signal.OCCUPANCY): (1, 1, 0, 1),
    ("tv", DeviceKind.POWER, Signal.SWITCH_ON): (1, 0, 0, 1),
    ("washer", DeviceKind.VIBRATION, Signal.VIBRATION): (1, 0, 1, 1),
    ("remote", DeviceKind.BUTTON, Signal.BUTTON): (1, 1),
    ("thermo", DeviceKind.TEMPERATURE, Signal.TEMPERATURE_C): (19, 21, 19),
}
# Power in watts has no 0/1 dataset record; ingest and the simulators both carry it.
KETTLE_W = (2, 1800, 1900, 3, 25)


def stream() -> list[tuple[datetime, str, Signal, float]]:
    """Every device's values interleaved, one a minute."""
    rows = [(d, s, v) for (d, _, s), values in STREAMS.items() for v in values]
    rows += [("kettle", Signal.POWER_W, v) for v in KETTLE_W]
    return [(START + timedelta(minutes=i), d, s, v) for i, (d, s, v) in enumerate(rows)]


def by_ingest(events: list[tuple[datetime, str, Signal, float]]) -> list[bool]:
    items: list[batches.Received] = []
    for i, (at, device, signal, value) in enumerate(events):
        body = json.dumps({"at": at.isoformat(), "signals": {signal.value: value}}).encode()
        items.append((f"veille/v1/h1/{device}", body, i + 1, 1, False, False, at.timestamp(), 1))
    batch = batches.Batch()
    decoded = batches.decode_all(Router("veille", "zigbee2mqtt"), items, batch)
    registry = {f"native:h1/{d}": ("h1", d) for _, d, _, _ in events}
    batches.build(decoded, registry, ActivityTracker(), batch, trust_device_time=True)
    return [row[5] for row in batch.events]


def by_simulation(events: list[tuple[datetime, str, Signal, float]]) -> list[bool]:
    sim = [Event(at, "h1", d, {s: v}) for at, d, s, v in events]
    return [obs.activity for obs in simulated.observations(sim)]


def by_replay(events: list[tuple[datetime, str, Signal, float]]) -> list[bool]:
    kinds = {d: k for d, k, _ in STREAMS}
    config = HomeConfig("h1", "UTC", {d: Sensor(d, k) for d, k in kinds.items()})
    records = [Record(at, d, v) for at, d, _, v in events]
    return [obs.activity for obs in replay.observations(records, config)]


def test_ingest_replay_and_simulation_agree_on_what_is_activity() -> None:
    events = stream()
    live = by_ingest(events)
    assert len(live) == len(events)
    assert by_simulation(events) == live
    recordable = [e for e in events if e[1] != "kettle"]
    assert by_replay(recordable) == live[: len(recordable)]
    # And the verdict is the one stated in devices/activity.py, not three equal mistakes.
    assert live[:5] == [True, False, False, True, False]  # motion: rising edges only
    assert live[-len(KETTLE_W) :] == [False, True, False, False, True]  # power: upward crossing

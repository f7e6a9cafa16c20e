"""Simulated homes as the detector sees them: the simulator's events, judged as ingest would,
played through a `HomeDetector`. For tests and for `veille eval-decline`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from analytics.decision import Decision
from analytics.engine import HomeDetector
from analytics.home import HomeConfig, Observation, Sensor
from devices.activity import ActivityTracker
from devices.signals import Reading
from evaluation.replay import advance, replay
from simulators.event import Event
from simulators.home import HomeSpec, Simulation
from simulators.layout import HomeLayout, standard_layout
from simulators.scenarios import parse_cue

ZONE = "Europe/Paris"
# Monday 2026-03-02 00:00 local: a month that crosses the spring DST change (29 March).
START = datetime.fromisoformat("2026-03-02T00:00:00+01:00")


def layout(home_id: str = "sim") -> HomeLayout:
    return standard_layout(home_id, ZONE)


def config_of(home: HomeLayout) -> HomeConfig:
    sensors = {d.id: Sensor(d.id, d.kind, d.room, d.role) for d in home.devices}
    return HomeConfig(home.home_id, home.timezone, sensors)


def observations(events: Iterable[Event]) -> Iterator[Observation]:
    """The simulator's reports with ingest's activity verdict (none of them is retained)."""
    tracker = ActivityTracker()
    for event in events:
        device = (event.home_id, event.device_id)
        for signal, value in event.signals.items():
            active = tracker.decide(device, Reading(signal, value), retained=False)
            yield Observation(event.at, event.device_id, signal, value, active, event.detail)


def simulate(
    days: float, cues: tuple[str, ...] = (), seed: int = 7, start: datetime = START
) -> tuple[HomeDetector, list[Decision]]:
    """`days` of the standard simulated home with scenario `cues`, through a new detector."""
    home = layout()
    specs = tuple(parse_cue(cue, start, home.zone) for cue in cues)
    sim = Simulation(HomeSpec(home, seed=seed, scenarios=specs), start, start + timedelta(days))
    detector = HomeDetector(config_of(home))
    decisions = replay(detector, observations(sim.events()))
    decisions += advance(detector, start + timedelta(days))
    return detector, decisions

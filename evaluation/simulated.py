"""Simulated homes as the detector sees them: the simulator's events, judged as ingest would,
played through a `HomeDetector`. For tests and for `veille eval-decline`."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from analytics.decision import Decision
from analytics.engine import HomeDetector
from analytics.home import HomeConfig, Observation, Sensor
from devices.signals import Signal
from evaluation.replay import advance, replay
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


def observations(sim: Simulation) -> Iterator[Observation]:
    """Ingest's verdict: motion and occupancy on rising edges, contacts on any change,
    plugs when switched, buttons always; temperature and panic passed through."""
    last: dict[tuple[str, Signal], float] = {}
    for event in sim.events():
        for signal, value in event.signals.items():
            key = (event.device_id, signal)
            previous = last.get(key)
            last[key] = value
            if signal in (Signal.MOTION, Signal.OCCUPANCY, Signal.SWITCH_ON):
                active = value > 0 and previous != value
            elif signal == Signal.CONTACT_OPEN:
                active = previous is not None and previous != value
            elif signal in (Signal.BUTTON, Signal.PANIC):
                active = True
            elif signal == Signal.TEMPERATURE_C:
                active = False
            else:
                continue
            yield Observation(event.at, event.device_id, signal, value, active, event.detail)


def simulate(
    days: float, cues: tuple[str, ...] = (), seed: int = 7, start: datetime = START
) -> tuple[HomeDetector, list[Decision]]:
    """`days` of the standard simulated home with scenario `cues`, through a new detector."""
    home = layout()
    specs = tuple(parse_cue(cue, start, home.zone) for cue in cues)
    sim = Simulation(HomeSpec(home, seed=seed, scenarios=specs), start, start + timedelta(days))
    detector = HomeDetector(config_of(home))
    decisions = replay(detector, observations(sim))
    decisions += advance(detector, start + timedelta(days))
    return detector, decisions

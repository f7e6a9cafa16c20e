"""Reading a simulated life back from its events, the way an observer of the sensors would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from devices.signals import ACTIVITY_SIGNALS, Signal
from simulators.event import Event
from simulators.home import HomeSpec, Simulation
from simulators.layout import standard_layout
from simulators.scenarios import parse_cue


@dataclass(frozen=True)
class Night:
    bed_at: datetime
    wake_at: datetime
    trips: int


def nights(events: list[Event], bed: str = "bed-mat") -> list[Night]:
    """Bed occupancy spells: a night ends when the bed stays empty for over an hour."""
    edges = [
        (e.at, e.signals[Signal.OCCUPANCY])
        for e in events
        if e.device_id == bed and Signal.OCCUPANCY in e.signals
    ]
    result, bed_at, trips = [], None, 0
    for i, (at, value) in enumerate(edges):
        if value == 1 and bed_at is None:
            bed_at, trips = at, 0
        elif value == 0 and bed_at is not None:
            back = next((t for t, v in edges[i + 1 :] if v == 1), None)
            if back is not None and back - at < timedelta(hours=1):
                trips += 1
            else:
                result.append(Night(bed_at, at, trips))
                bed_at = None
    return result


def time_out(events: list[Event], door: str = "front-door") -> timedelta:
    """Time between a door opening and the next one with no activity anywhere in between."""
    total = timedelta()
    left_at: datetime | None = None
    for e in events:
        if e.device_id == door and e.signals.get(Signal.CONTACT_OPEN) == 1:
            if left_at is not None:
                total += e.at - left_at
            left_at = e.at
        elif e.device_id != door and is_activity(e):
            left_at = None
    return total


def is_activity(event: Event) -> bool:
    """A report only a person could cause: an activity signal rising (on, open, drawing power)."""
    return any(s in ACTIVITY_SIGNALS and v >= 1 for s, v in event.signals.items())


def simulate_cues(
    *cues: str, start: datetime, days: float = 2, seed: int = 11, home: str = "sc"
) -> tuple[list[Event], Simulation]:
    """One standard home with `cues`, simulated from `start`: its events and the simulation."""
    layout = standard_layout(home, "Europe/Paris")
    specs = tuple(parse_cue(c, start, layout.zone) for c in cues)
    sim = Simulation(
        HomeSpec(layout, seed=seed, scenarios=specs), start, start + timedelta(days=days)
    )
    return list(sim.events()), sim


def activity_after(events: list[Event], moment: datetime) -> list[Event]:
    return [e for e in events if e.at > moment and is_activity(e)]

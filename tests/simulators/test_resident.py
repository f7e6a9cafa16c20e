"""Thirty simulated days of one resident, checked against the model's parameters."""

from __future__ import annotations

import itertools
import statistics
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from simulators.event import Event
from simulators.home import HomeSpec, Simulation
from simulators.layout import standard_layout
from simulators.resident import ResidentParams
from tests.simulators.life import is_activity, nights, time_out

START = datetime(2026, 3, 2, 12, tzinfo=UTC)  # a Monday; no DST change in the next 30 days
DAYS = 30
PARAMS = ResidentParams(
    wake_h=7.0, wake_spread_min=20, weekend_shift_min=0, night_trips=1.5, outing_h=2.0
)


@pytest.fixture(scope="module")
def month() -> tuple[list[Event], float]:
    layout = standard_layout("life", "Europe/Paris")
    began = time.monotonic()
    events = list(
        Simulation(HomeSpec(layout, PARAMS, seed=7), START, START + timedelta(days=DAYS)).events()
    )
    return events, time.monotonic() - began


def test_thirty_days_simulate_in_seconds_in_time_order(month: tuple[list[Event], float]) -> None:
    events, elapsed_s = month
    assert elapsed_s < 5
    assert len(events) > DAYS * 300
    assert all(a.at <= b.at for a, b in itertools.pairwise(events))
    assert events[0].at >= START
    assert events[-1].at < START + timedelta(days=DAYS)


def test_wake_times_stay_within_the_configured_spread(month: tuple[list[Event], float]) -> None:
    zone = standard_layout("x", "Europe/Paris").zone
    found = nights(month[0])
    assert len(found) >= DAYS - 1
    wake_h = [_local_hours(n.wake_at, zone) for n in found]
    mean, spread_min = statistics.fmean(wake_h), statistics.stdev(wake_h) * 60
    assert abs(mean - PARAMS.wake_h) < 10 / 60
    assert 0.6 * PARAMS.wake_spread_min < spread_min < 1.4 * PARAMS.wake_spread_min
    assert all(abs(h - PARAMS.wake_h) * 60 <= 3 * PARAMS.wake_spread_min + 1 for h in wake_h)


def _local_hours(at: datetime, zone: ZoneInfo) -> float:
    local = at.astimezone(zone)
    return local.hour + local.minute / 60 + local.second / 3600


def test_night_bathroom_trips_come_at_the_configured_rate(month: tuple[list[Event], float]) -> None:
    trips = [n.trips for n in nights(month[0])]
    assert abs(statistics.fmean(trips) - PARAMS.night_trips) < 0.45
    assert max(trips) >= 3  # a Poisson process, not a fixed schedule


def test_time_out_of_home_matches_outings(month: tuple[list[Event], float]) -> None:
    out_h_per_day = time_out(month[0]) / timedelta(hours=1) / DAYS
    assert abs(out_h_per_day - PARAMS.expected_out_h) < 0.25 * PARAMS.expected_out_h


def test_same_seed_same_life_other_seed_other_life() -> None:
    layout = standard_layout("det", "Europe/Paris")
    end = START + timedelta(days=2)
    first = list(Simulation(HomeSpec(layout, seed=3), START, end).events())
    again = list(Simulation(HomeSpec(layout, seed=3), START, end).events())
    other = list(Simulation(HomeSpec(layout, seed=4), START, end).events())
    assert first == again
    assert first != other


def test_weekends_start_later_and_bring_more_visitors() -> None:
    layout = standard_layout("week", "Europe/Paris")
    params = ResidentParams(weekend_shift_min=45, visitor_prob=0.1, weekend_visitor_prob=0.6)
    sim = Simulation(HomeSpec(layout, params, seed=2), START, START + timedelta(days=70))
    acts = list(sim.activities())
    wake: dict[bool, list[float]] = {True: [], False: []}
    visits: dict[bool, int] = {True: 0, False: 0}
    for act in acts:
        local = act.start.astimezone(layout.zone)
        weekend = local.weekday() >= 5
        if act.name == "get up":
            wake[weekend].append(_local_hours(act.start, layout.zone))
        visits[weekend] += act.name == "visit"
    shift_min = (statistics.fmean(wake[True]) - statistics.fmean(wake[False])) * 60
    assert 30 < shift_min < 60
    assert visits[True] / len(wake[True]) > 3 * visits[False] / len(wake[False])


def test_a_visit_keeps_two_rooms_busy_and_opens_the_door_at_both_ends() -> None:
    layout = standard_layout("visit", "Europe/Paris")
    params = ResidentParams(visitor_prob=1.0, weekend_visitor_prob=1.0)
    sim = Simulation(HomeSpec(layout, params, seed=4), START, START + timedelta(days=1))
    events = list(sim.events())
    visit = next(a for a in sim.activities() if a.name == "visit" and a.start > START)
    during = [e for e in events if visit.start <= e.at <= visit.end and is_activity(e)]
    rooms = {e.device_id for e in during}
    assert {"living-pir", "kitchen-pir", "front-door"} <= rooms
    door = [e.at for e in during if e.device_id == "front-door"]
    assert door[0] - visit.start < timedelta(minutes=1)
    assert visit.end - door[-1] < timedelta(minutes=2)

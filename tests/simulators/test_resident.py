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
from tests.simulators.life import nights, time_out

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

"""A warped clock that two processes given the same three values agree on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulators.clock import WarpedClock

SIM = datetime(2026, 3, 2, 9, tzinfo=UTC)
WALL = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def test_an_hour_a_second_at_speed_3600() -> None:
    clock = WarpedClock(SIM, WALL, speed=3600)
    assert clock.sim_at(WALL + timedelta(seconds=2)) == SIM + timedelta(hours=2)
    assert clock.wall_at(SIM + timedelta(hours=2)) == WALL + timedelta(seconds=2)


def test_delay_is_what_remains_until_due_and_zero_when_overdue() -> None:
    clock = WarpedClock(SIM, WALL, speed=600)
    assert clock.delay_s(SIM + timedelta(minutes=10), WALL) == pytest.approx(1.0)
    assert clock.delay_s(SIM - timedelta(days=14), WALL) == 0.0  # history: at once


def test_real_time_is_speed_one_and_speed_must_be_positive() -> None:
    assert WarpedClock(SIM, WALL).sim_at(WALL + timedelta(minutes=5)) == SIM + timedelta(minutes=5)
    with pytest.raises(ValueError, match="positive"):
        WarpedClock(SIM, WALL, speed=0)

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devices.clock import ManualClock, WarpedClock

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(T0)
    assert clock.now() == T0
    assert clock.advance(timedelta(minutes=5)) == T0 + timedelta(minutes=5)
    clock.set(T0 + timedelta(hours=2))
    assert clock.now() == T0 + timedelta(hours=2)


def test_clocks_refuse_naive_times() -> None:
    with pytest.raises(ValueError, match="aware"):
        ManualClock(datetime(2026, 1, 1))  # noqa: DTZ001


def test_warped_clock_runs_speed_times_faster_than_the_wall() -> None:
    wall = ManualClock(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    warped = WarpedClock(T0, wall.now(), speed=600.0, wall=wall)
    assert warped.now() == T0
    wall.advance(timedelta(seconds=6))
    assert warped.now() == T0 + timedelta(hours=1)
    assert warped.wall_seconds(timedelta(hours=1)) == pytest.approx(6.0)

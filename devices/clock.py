"""Where "now" comes from: the wall, a test's hand, or a time-warped demo.

The detector never reads the wall clock itself; it is handed a `Clock`, so the same code runs
live, in the accelerated demo and over a recorded log.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class WallClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start: datetime) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def set(self, at: datetime) -> None:
        self._now = _aware(at)

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now


class WarpedClock:
    """Simulated time running `speed` times faster than the wall, as the demo simulator does.

    simulated now = sim_start + (wall now - wall_start) * speed
    """

    def __init__(
        self, sim_start: datetime, wall_start: datetime, speed: float, wall: Clock | None = None
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.sim_start = _aware(sim_start)
        self.wall_start = _aware(wall_start)
        self.speed = speed
        self._wall = wall or WallClock()

    def now(self) -> datetime:
        return self.sim_start + (self._wall.now() - self.wall_start) * self.speed

    def wall_seconds(self, simulated: timedelta) -> float:
        """How long on the wall a simulated duration takes."""
        return simulated.total_seconds() / self.speed


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("clock times must be timezone-aware")
    return at.astimezone(UTC)


def add_clock_arguments(parser: argparse.ArgumentParser) -> None:
    """Options that put a service on the demo's warped clock instead of the wall."""
    parser.add_argument("--warp-start", help="simulated time (ISO 8601) at --warp-anchor")
    parser.add_argument("--warp-anchor", help="wall-clock time (ISO 8601) of --warp-start")
    parser.add_argument("--warp-speed", type=float, default=1.0, help="simulated s per real s")


def clock_from_args(args: argparse.Namespace) -> Clock:
    if not args.warp_start:
        return WallClock()
    anchor = datetime.fromisoformat(args.warp_anchor) if args.warp_anchor else WallClock().now()
    return WarpedClock(datetime.fromisoformat(args.warp_start), anchor, args.warp_speed)

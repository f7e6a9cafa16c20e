"""Simulated time against the wall clock: real time, warped, or as fast as possible.

A `WarpedClock` is plain data (simulated start, wall-clock anchor, speed), so another process
given the same three values computes the same simulated "now".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class WarpedClock:
    sim_start: datetime  # simulated time at the anchor
    anchor: datetime  # wall-clock time (aware) when simulated time was `sim_start`
    speed: float = 1.0  # simulated seconds per real second; 1 = real time

    def __post_init__(self) -> None:
        if self.speed <= 0:
            raise ValueError("speed must be positive")

    def sim_at(self, wall: datetime) -> datetime:
        return self.sim_start + (wall - self.anchor) * self.speed

    def wall_at(self, sim: datetime) -> datetime:
        return self.anchor + (sim - self.sim_start) / self.speed

    def delay_s(self, sim: datetime, wall_now: datetime) -> float:
        """Real seconds to wait before `sim` is due (0 when it is already past)."""
        return max(0.0, (self.wall_at(sim) - wall_now) / timedelta(seconds=1))

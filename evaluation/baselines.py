"""Simple detectors Veille is measured against, on the same events and the same injections.

- a fixed 4 h timer that only fires in the daytime (08:00-22:00 local);
- the classic telecare 12 h timer;
- a per-slot "longest silence seen + buffer" learner in the style of Cuddihy et al. (2007),
  learning online from every silence (it cannot tell an absence from stillness).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from analytics.decision import Clear, Decision, Flag
from analytics.home import Observation


class FixedTimer:
    def __init__(
        self, limit: timedelta, zone: ZoneInfo, day_hours: tuple[int, int] | None = None
    ) -> None:
        self.limit, self.zone, self.day_hours = limit, zone, day_hours
        self.last_at: datetime | None = None
        self.fired = False

    def observe(self, obs: Observation) -> list[Decision]:
        if not obs.activity or (self.last_at is not None and obs.at < self.last_at):
            return []
        cleared: list[Decision] = [Clear("inactivity", obs.at, "")] if self.fired else []
        self.last_at, self.fired = obs.at, False
        return cleared

    def limit_for(self, last_at: datetime) -> timedelta:
        return self.limit

    def next_deadline(self, horizon: datetime | None = None) -> datetime | None:
        if self.fired or self.last_at is None:
            return None
        deadline = self.last_at + self.limit_for(self.last_at)
        if self.day_hours is None:
            return deadline
        start, end = self.day_hours
        local = deadline.astimezone(self.zone)
        if local.hour >= end:
            local = datetime.combine(local.date() + timedelta(days=1), time(start), self.zone)
        elif local.hour < start:
            local = datetime.combine(local.date(), time(start), self.zone)
        return local

    def check(self, now: datetime) -> list[Decision]:
        deadline = self.next_deadline()
        if deadline is None or now < deadline:
            return []
        self.fired = True
        return [Flag("inactivity", "warning", now, "timer")]


class SlotMaxLearner(FixedTimer):
    """Alert when a silence outlasts the longest one seen starting in this hour (±1 h),
    plus 20%; 4 h until the slot has data."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__(timedelta(hours=4), zone)
        self.longest = np.zeros(24)

    def observe(self, obs: Observation) -> list[Decision]:
        if obs.activity and self.last_at is not None and obs.at >= self.last_at:
            hour = self.last_at.astimezone(self.zone).hour
            gap = (obs.at - self.last_at).total_seconds()
            self.longest[hour] = max(self.longest[hour], gap)
        return super().observe(obs)

    def limit_for(self, last_at: datetime) -> timedelta:
        hour = last_at.astimezone(self.zone).hour
        seen = float(self.longest[[(hour - 1) % 24, hour, (hour + 1) % 24]].max())
        return timedelta(seconds=seen * 1.2) if seen > 0 else self.limit

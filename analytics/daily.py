"""One local day summarised as features for the slow-change scorer (weekly summary)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date


@dataclass
class DayStats:
    day: date
    wake_h: float | None = None  # local hour first up (after 04:00, outside the bedroom)
    bed_h: float | None = None  # local hour of the last move into the bedroom in the evening
    night_bathroom_trips: int = 0  # out of bed at night to the bathroom, and back to bed
    kitchen_visits: int = 0
    hours_out: float = 0.0
    activity_events: int = 0

    def features(self) -> dict[str, float]:
        values = asdict(self)
        values.pop("day")
        return {k: float(v) for k, v in values.items() if v is not None}

    @classmethod
    def from_features(cls, day: date, features: Mapping[str, float]) -> DayStats:
        """The inverse of `features`, as stored in `daily_features`."""
        return cls(
            day,
            wake_h=features.get("wake_h"),
            bed_h=features.get("bed_h"),
            night_bathroom_trips=int(features.get("night_bathroom_trips", 0)),
            kitchen_visits=int(features.get("kitchen_visits", 0)),
            hours_out=float(features.get("hours_out", 0.0)),
            activity_events=int(features.get("activity_events", 0)),
        )

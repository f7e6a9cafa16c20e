"""The present of one home as the detector sees it: where the last movement was, whether the
resident is in, which flags are open, and today's running tallies. Plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.daily import DayStats
from analytics.decision import Flag
from analytics.home import HomeConfig, Place, Sensor
from analytics.routine import Expectation, RoutineModel

DEPART_AFTER = timedelta(minutes=10)  # silence after the front door that means "went out"


@dataclass
class HomeState:
    zone: ZoneInfo
    last_at: datetime | None = None
    last_sensor: Sensor | None = None
    place: Place = Place.OTHER  # where the current silence started
    out_since: datetime | None = None  # set once a door-then-silence says the resident left
    returned: bool = False  # the last door event ended an absence: they came in
    bath_since: datetime | None = None  # start of the current bathroom visit
    woke_on: date | None = None  # the local day the resident was last seen up
    visitors_until: datetime | None = None
    recent: dict[Place, datetime] = field(default_factory=dict)  # last activity per place
    cold_since: datetime | None = None
    hot_since: datetime | None = None
    temperature_c: float | None = None
    day: DayStats | None = None
    meal_day: date | None = None  # the local date the meal tallies below are for
    meal_first: dict[int, datetime] = field(default_factory=dict)  # window -> first kitchen use
    meal_home: set[int] = field(default_factory=set)  # windows with any activity at home
    meal_flagged: set[int] = field(default_factory=set)  # windows already flagged today
    open: dict[str, Flag] = field(default_factory=dict)
    expectation: Expectation | None = None  # cached for the current silence

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    @property
    def last_local(self) -> datetime | None:
        return None if self.last_at is None else self.local(self.last_at)

    def left_at(self) -> datetime | None:
        """When the resident went out (door, then silence), or None while they are in."""
        if self.out_since is not None:
            return self.out_since
        if self.place == Place.ENTRANCE and self.last_at is not None:
            return self.last_at
        return None

    def is_out(self, now: datetime) -> bool:
        left = self.left_at()
        return left is not None and now - left >= DEPART_AFTER


@dataclass
class Context:
    """Everything a rule may read: the present, the learned routine, the home's settings."""

    state: HomeState
    model: RoutineModel
    config: HomeConfig

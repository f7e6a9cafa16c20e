"""A resident's days as a sequence of activities with stochastic timing.

Pure: every draw comes from a `random.Random` derived from (seed, home, date), so any day of
any home can be planned on its own and the same seed always gives the same life.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from devices.signals import Role, Room

# Mean seconds between movements a PIR could see, by how busy the activity is.
ACTIVE_S = 15.0
SEATED_S = 420.0
DOZING_S = 1800.0
ASLEEP_S = 3600.0
STILL_S = math.inf  # fallen, or out of the home


@dataclass(frozen=True, slots=True)
class ResidentParams:
    wake_h: float = 7.5  # mean local wake-up time on weekdays
    wake_spread_min: float = 20.0  # standard deviation of the wake-up time
    bed_h: float = 22.5
    bed_spread_min: float = 25.0
    weekend_shift_min: float = 30.0  # later wake and bed on Saturday and Sunday
    night_trips: float = 1.2  # mean bathroom trips per night (Poisson)
    outing_prob: float = 0.7  # chance of a morning outing (shopping, visits)
    outing_h: float = 1.5  # mean duration of an outing
    afternoon_outing_prob: float = 0.25
    nap_prob: float = 0.5
    toilet_every_h: float = 2.5  # daytime toilet visits
    snacks: float = 1.0  # mean extra kitchen visits per day
    skip_lunch_prob: float = 0.0  # a declining resident eats less
    visitor_prob: float = 0.15  # chance of an afternoon visitor on a weekday
    weekend_visitor_prob: float = 0.4

    @property
    def expected_out_h(self) -> float:
        return (self.outing_prob + self.afternoon_outing_prob) * self.outing_h


@dataclass(frozen=True, slots=True)
class Activity:
    name: str
    start: datetime  # aware, UTC
    end: datetime
    room: Room | None  # None: out of the home
    movement_s: float = ACTIVE_S
    uses: tuple[Role, ...] = ()
    final: bool = False  # the person never moves on (fallen, gone): nothing is released
    company: Room | None = None  # a visitor moving about in another room at the same time


def rng_for(seed: int, home_id: str, day: date, purpose: str) -> random.Random:
    # String seeds hash with SHA-512: stable across runs and platforms.
    return random.Random(f"{seed}/{home_id}/{day.isoformat()}/{purpose}")


def wake_time(params: ResidentParams, zone: ZoneInfo, day: date, rng: random.Random) -> datetime:
    return _local(day, zone, params.wake_h, params.wake_spread_min, _shift(params, day), rng)


def bed_time(params: ResidentParams, zone: ZoneInfo, day: date, rng: random.Random) -> datetime:
    return _local(day, zone, params.bed_h, params.bed_spread_min, _shift(params, day), rng)


def _shift(params: ResidentParams, day: date) -> float:
    return params.weekend_shift_min if day.weekday() >= 5 else 0.0


def _local(
    day: date,
    zone: ZoneInfo,
    mean_h: float,
    spread_min: float,
    shift_min: float,
    rng: random.Random,
) -> datetime:
    # Clipped at 3 sigma: nobody gets up at noon because of a tail draw.
    offset_min = max(-3.0, min(3.0, rng.gauss(0.0, 1.0))) * spread_min + shift_min
    midnight = datetime.combine(day, time(0), zone)
    return _utc(midnight + timedelta(hours=mean_h, minutes=offset_min))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


class _Day:
    """A cursor that appends activities back to back."""

    def __init__(
        self, start: datetime, rng: random.Random, params: ResidentParams, zone: ZoneInfo
    ) -> None:
        self.t = start
        self.zone = zone
        self.rng = rng
        self.params = params
        self.items: list[Activity] = []
        self._next_toilet = start + timedelta(hours=params.toilet_every_h)

    def add(
        self,
        name: str,
        minutes: float,
        room: Room | None,
        movement_s: float,
        *uses: Role,
        company: Room | None = None,
    ) -> None:
        end = self.t + timedelta(minutes=max(minutes, 0.5))
        self.items.append(Activity(name, self.t, end, room, movement_s, uses, company=company))
        self.t = end

    def span(self, low: float, high: float) -> float:
        return self.rng.uniform(low, high)

    def rest_until(self, until: datetime, name: str = "armchair") -> None:
        """Sit in the living room (chair, TV) until `until`, with toilet and snack breaks."""
        while self.t < until - timedelta(minutes=2):
            if self.t >= self._next_toilet:
                self.add("toilet", self.span(3, 8), Room.BATHROOM, ACTIVE_S)
                self._next_toilet = self.t + timedelta(hours=self.params.toilet_every_h)
                continue
            stop = min(until, self._next_toilet)
            minutes = (stop - self.t).total_seconds() / 60
            snack = self.rng.random() < self.params.snacks * minutes / (14 * 60)
            if snack and minutes > 20:
                self.add(name, minutes / 2, Room.LIVING, SEATED_S, Role.CHAIR, Role.TV)
                self.add("snack", self.span(3, 8), Room.KITCHEN, ACTIVE_S, Role.FRIDGE)
            else:
                self.add(name, minutes, Room.LIVING, SEATED_S, Role.CHAIR, Role.TV)

    def outing(self, mean_h: float) -> None:
        sigma = 0.4
        hours = self.rng.lognormvariate(math.log(mean_h) - sigma * sigma / 2, sigma)
        self.add("out", hours * 60, None, STILL_S, Role.ENTRANCE)
        self.add("come back", self.span(1, 3), Room.HALL, ACTIVE_S)

    def at(self, hour: float, spread_min: float) -> datetime:
        local = self.t.astimezone(self.zone)
        midnight = datetime.combine(local.date(), time(0), self.zone)
        moment = midnight + timedelta(hours=hour, minutes=self.rng.gauss(0, spread_min))
        return _utc(moment)


def plan_day(
    params: ResidentParams,
    zone: ZoneInfo,
    wake: datetime,
    bed: datetime,
    next_wake: datetime,
    rng: random.Random,
) -> list[Activity]:
    """Activities from getting up at `wake` to getting up again at `next_wake`."""
    d = _Day(wake, rng, params, zone)
    d.add("get up", d.span(3, 8), Room.BEDROOM, ACTIVE_S)
    d.add("wash", d.span(8, 20), Room.BATHROOM, ACTIVE_S)
    d.add("breakfast", d.span(15, 35), Room.KITCHEN, ACTIVE_S, Role.KETTLE, Role.FRIDGE)
    if rng.random() < params.outing_prob:
        d.rest_until(d.at(10.0, 30))
        d.outing(params.outing_h)
    d.rest_until(d.at(12.5, 20))
    if rng.random() >= params.skip_lunch_prob:
        d.add("lunch", d.span(25, 45), Room.KITCHEN, ACTIVE_S, Role.FRIDGE)
    if rng.random() < params.nap_prob:
        d.add("nap", d.span(30, 70), Room.LIVING, DOZING_S, Role.CHAIR)
    weekend = d.t.astimezone(zone).weekday() >= 5
    if rng.random() < (params.weekend_visitor_prob if weekend else params.visitor_prob):
        d.rest_until(d.at(15.5, 45))
        # The resident sits with the visitor, who comes and goes in the kitchen (tea).
        minutes = d.span(45, 120)
        d.add(
            "visit", minutes, Room.LIVING, SEATED_S, Role.ENTRANCE, Role.CHAIR, company=Room.KITCHEN
        )
    if rng.random() < params.afternoon_outing_prob:
        d.rest_until(d.at(15.0, 30))
        d.outing(params.outing_h)
    d.rest_until(d.at(18.5, 20))
    d.add("dinner", d.span(30, 50), Room.KITCHEN, ACTIVE_S, Role.FRIDGE, Role.KETTLE)
    d.rest_until(bed - timedelta(minutes=12), name="evening")
    d.add("bedtime", d.span(8, 15), Room.BATHROOM, ACTIVE_S)
    _night(d, next_wake)
    return d.items


def _night(d: _Day, next_wake: datetime) -> None:
    """Sleep until `next_wake`, broken by Poisson-many bathroom trips."""
    first, last = d.t + timedelta(minutes=20), next_wake - timedelta(minutes=20)
    count = _poisson(d.rng, d.params.night_trips)
    trips = (
        sorted(first + (last - first) * d.rng.random() for _ in range(count))
        if last > first
        else []
    )
    for trip in trips:
        if trip <= d.t + timedelta(minutes=5):
            continue  # too close to the previous trip: the draws merge into one
        d.add("sleep", (trip - d.t).total_seconds() / 60, Room.BEDROOM, ASLEEP_S, Role.BED)
        d.add("night toilet", d.span(3, 8), Room.BATHROOM, ACTIVE_S)
    remaining = (next_wake - d.t).total_seconds() / 60
    d.add("sleep", remaining, Room.BEDROOM, ASLEEP_S, Role.BED)
    d.items[-1] = replace(d.items[-1], end=next_wake)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means used here.
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def activities(
    params_for: Callable[[date], ResidentParams],
    zone: ZoneInfo,
    seed: int,
    home_id: str,
    first_day: date,
) -> Iterator[Activity]:
    """An endless life, day after day, from getting up on `first_day`.

    `params_for` gives each day's parameters, so a scenario can make them drift over weeks.
    """
    day = first_day
    wake = wake_time(params_for(day), zone, day, rng_for(seed, home_id, day, "wake"))
    while True:
        nxt = day + timedelta(days=1)
        params = params_for(day)
        next_wake = wake_time(params_for(nxt), zone, nxt, rng_for(seed, home_id, nxt, "wake"))
        bed = bed_time(params, zone, day, rng_for(seed, home_id, day, "bed"))
        rng = rng_for(seed, home_id, day, "day")
        yield from plan_day(params, zone, wake, bed, next_wake, rng)
        day, wake = nxt, next_wake

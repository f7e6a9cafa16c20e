"""The routine model of one home: how long quiet spells last, per local time slot and place.

Silences are learned in the home's *local* time (15-minute slots, weekday/weekend), so a
daylight-saving change shifts nothing. Each completed silence adds a smoothed bump to a
histogram of log-durations for (day type, slot, place). Thresholds come from the predictive
distribution: the home's histogram plus conservative population prior pseudo-counts, so
there is no blind period; the home's own data take over as they arrive, and old data decay
(half-life `HALF_LIFE_DAYS`) so a changed routine is learned.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from analytics.habits import Habits
from analytics.home import Place
from analytics.slots import (
    BINS,
    CENTRES_S,
    DAY_TYPES,
    SLOTS,
    Array,
    bump_into,
    day_type_of,
    slot_of,
    survival_quantile_s,
)

PLACES = len(Place)
MIN_SILENCE_S = 300.0  # shorter silences say nothing about the tail we care about
HALF_LIFE_DAYS = 42.0
RING_DAYS = 28  # "the longest quiet spell in 4 weeks"

# Population prior (minutes median, log-sd) per place, for day and night starts. Deliberately
# long-tailed: before the home's data arrive, alerts come late rather than falsely.
_PRIOR_DAY = {
    Place.BEDROOM: (45.0, 1.0),
    Place.BATHROOM: (8.0, 0.8),
    Place.KITCHEN: (10.0, 0.9),
    Place.LIVING: (20.0, 1.0),
    Place.OTHER: (15.0, 1.0),
    Place.ENTRANCE: (90.0, 1.0),
}
_PRIOR_NIGHT = {
    Place.BEDROOM: (300.0, 0.8),
    Place.BATHROOM: (6.0, 0.6),
    Place.KITCHEN: (8.0, 0.7),
    Place.LIVING: (30.0, 1.0),
    Place.OTHER: (8.0, 0.7),
    Place.ENTRANCE: (120.0, 1.0),
}
PRIOR_WEIGHT = 6.0  # pseudo-silences per slot
POOL_SHARE = 0.05
_NIGHT_SLOTS = np.array([h >= 22 or h < 7 for h in np.arange(SLOTS) // 4])
_KERNEL = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0, 1.0]) / 5.0  # ±1 h around a slot


def _lognormal_pdf(median_min: float, sigma: float) -> Array:
    z = (np.log(CENTRES_S / (median_min * 60.0))) / sigma
    pdf = np.exp(-0.5 * z * z)
    return np.asarray(pdf / pdf.sum(), dtype=np.float64)


def _build_prior() -> Array:
    prior = np.zeros((SLOTS, PLACES, BINS))
    for slot in range(SLOTS):
        hour = slot // 4
        table = _PRIOR_NIGHT if hour >= 22 or hour < 7 else _PRIOR_DAY
        for place, (median, sigma) in table.items():
            prior[slot, place] = _lognormal_pdf(median, sigma)
    return prior


PRIOR = _build_prior()


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the model expects of a silence starting at a given local time and place."""

    threshold_s: float  # alert when the silence lasts longer than this
    usual_s: float  # 90% of such silences end within this
    longest_s: float | None  # longest seen around this time in the last 4 weeks
    learned: float  # weight of the home's own data behind this (silences)


class RoutineModel:
    """Silence statistics of one home. Mutable; cheap to copy (about 40 kB)."""

    def __init__(self) -> None:
        self.silences = np.zeros((DAY_TYPES, SLOTS, PLACES, BINS))
        self.ring_max = np.zeros((RING_DAYS, 24, PLACES))
        self.ring_day = np.full(RING_DAYS, -1, dtype=np.int64)
        self.offset = np.ones((DAY_TYPES, SLOTS))  # feedback: >1 after false alarms
        self.day = -1  # local date ordinal the decay was last applied for
        self.habits = Habits()

    def copy(self) -> RoutineModel:
        other = RoutineModel.__new__(RoutineModel)
        other.silences = self.silences.copy()
        other.ring_max = self.ring_max.copy()
        other.ring_day = self.ring_day.copy()
        other.offset = self.offset.copy()
        other.day = self.day
        other.habits = self.habits.copy()
        return other

    def advance_day(self, ordinal: int) -> None:
        """Forget a little each local day."""
        if self.day >= 0 and ordinal > self.day:
            factor = 0.5 ** ((ordinal - self.day) / HALF_LIFE_DAYS)
            self.silences *= factor
            self.habits.decay(factor)
        self.day = max(self.day, ordinal)

    def learn_silence(self, start_local: datetime, place: Place, duration_s: float) -> None:
        if duration_s < MIN_SILENCE_S:
            return
        self.advance_day(start_local.toordinal())
        bump_into(self.silences[day_type_of(start_local), slot_of(start_local), place], duration_s)
        ring = start_local.toordinal() % RING_DAYS
        if self.ring_day[ring] != start_local.toordinal():
            self.ring_day[ring] = start_local.toordinal()
            self.ring_max[ring] = 0.0
        hour = start_local.hour
        self.ring_max[ring, hour, place] = max(self.ring_max[ring, hour, place], duration_s)

    def expect(
        self, start_local: datetime, place: Place, sensitivity: float = 1.0, tail: float = 0.004
    ) -> Expectation:
        """Predictive distribution of a silence starting now in `place`; threshold at `tail`."""
        day_type, slot = day_type_of(start_local), slot_of(start_local)
        idx = (np.arange(-4, 5) + slot) % SLOTS
        own = self.silences[day_type, idx, place] + 0.5 * self.silences[1 - day_type, idx, place]
        counts = _KERNEL @ own
        learned = float(counts.sum())
        # The same place at any hour of the same period speaks too: it adapts the whole
        # place (e.g. a kitchen next to an unmonitored living room) within a day or two.
        period = _NIGHT_SLOTS if bool(_NIGHT_SLOTS[slot]) else ~_NIGHT_SLOTS
        pooled = self.silences[:, period, place].sum(axis=(0, 1))
        counts = counts + POOL_SHARE * pooled + PRIOR_WEIGHT * (_KERNEL @ PRIOR[idx, place])
        quantile = survival_quantile_s(counts, tail)
        usual = survival_quantile_s(counts, 0.1)
        threshold = quantile * 1.25 * float(self.offset[day_type, slot]) / sensitivity
        return Expectation(threshold, usual, self.longest(start_local, place), learned)

    def longest(self, local: datetime, place: Place) -> float | None:
        recent = self.ring_day > local.toordinal() - RING_DAYS
        hours = (np.arange(-1, 2) + local.hour) % 24
        value = float(self.ring_max[recent][:, hours, int(place)].max(initial=0.0))
        return value or None

    def raise_slot(self, start_local: datetime, factor: float = 1.3, ceiling: float = 3.0) -> None:
        """A false alarm: lengthen thresholds around this slot, within bounds."""
        day_type, slot = day_type_of(start_local), slot_of(start_local)
        idx = (np.arange(-2, 3) + slot) % SLOTS
        self.offset[day_type, idx] = np.minimum(self.offset[day_type, idx] * factor, ceiling)

    def to_bytes(self) -> bytes:
        arrays: dict[str, Array] = {
            "silences": self.silences,
            "ring_max": self.ring_max,
            "ring_day": self.ring_day.astype(np.float64),
            "offset": self.offset,
            "day": np.array([float(self.day)]),
        }
        buffer = io.BytesIO()
        np.savez_compressed(buffer, allow_pickle=False, **(arrays | self.habits.arrays()))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RoutineModel:
        model = cls()
        with np.load(io.BytesIO(data)) as arrays:
            model.silences = arrays["silences"]
            model.ring_max = arrays["ring_max"]
            model.ring_day = arrays["ring_day"].astype(np.int64)
            model.offset = arrays["offset"]
            model.day = int(arrays["day"][0])
            model.habits.load({name: arrays[name] for name in model.habits.arrays()})
        return model

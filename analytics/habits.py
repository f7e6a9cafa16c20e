"""Daily habits of one home, learned in local time: when the resident gets up, how long
bathroom visits last, when the kitchen is first used around meal times.

Like silences, each starts from a population prior (no blind period) and forgets slowly.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from analytics.slots import (
    BINS,
    CENTRES_S,
    SLOTS,
    Array,
    bump_into,
    day_type_of,
    slot_of,
    survival_quantile_s,
)
from analytics.times_of_day import MEALS


def _normal_slots(mean_h: float, sd_h: float) -> Array:
    hours = (np.arange(SLOTS) + 0.5) / 4
    pdf = np.exp(-0.5 * ((hours - mean_h) / sd_h) ** 2)
    return np.asarray(pdf / pdf.sum(), dtype=np.float64)


WAKE_PRIOR = 3.0 * _normal_slots(8.0, 1.5)  # 3 pseudo-mornings around 08:00
BED_PRIOR = 3.0 * _normal_slots(22.5, 1.0)  # 3 pseudo-nights, to bed around 22:30
NOON = SLOTS // 2  # the nights' axis starts at noon, so a bed time after midnight sorts late
_BATH_PRIOR = np.exp(-0.5 * (np.log(CENTRES_S / 600.0) / 0.7) ** 2)
BATH_PRIOR = 6.0 * _BATH_PRIOR / _BATH_PRIOR.sum()  # visits: median 10 min
MEAL_PRIOR_DAYS = 3.0  # pseudo-days on which each meal window saw the kitchen
MIN_MEAL_DAYS = 5.0
MIN_MORNINGS = 1.0  # one morning seen, with the prior, sets a getting-up deadline


def quantile_slot(counts: Array, q: float) -> int:
    cdf = np.cumsum(counts) / counts.sum()
    return int(np.searchsorted(cdf, q))


class Habits:
    def __init__(self) -> None:
        self.wake = np.zeros((2, SLOTS))
        self.bed = np.zeros(SLOTS)
        self.bath = np.zeros(BINS)
        self.meals = np.zeros((len(MEALS), SLOTS))
        self.meal_days = np.zeros(len(MEALS))  # days at home during the window, used or not

    def copy(self) -> Habits:
        other = Habits()
        other.load({name: array.copy() for name, array in self.arrays().items()})
        return other

    def arrays(self) -> dict[str, Array]:
        return {
            "wake": self.wake,
            "bed": self.bed,
            "bath": self.bath,
            "meals": self.meals,
            "md": self.meal_days,
        }

    def load(self, arrays: dict[str, Array]) -> None:
        """Arrays by name; one missing (a model saved before it was learned) stays empty."""
        self.wake, self.bath = arrays["wake"], arrays["bath"]
        self.meals, self.meal_days = arrays["meals"], arrays["md"]
        self.bed = arrays.get("bed", self.bed)

    def decay(self, factor: float) -> None:
        for array in self.arrays().values():
            array *= factor

    # -- getting up ----------------------------------------------------------------------
    def learn_wake(self, local: datetime) -> None:
        self.wake[day_type_of(local), slot_of(local)] += 1.0

    def wake_deadline_min(self, day_type: int, sensitivity: float = 1.0) -> float | None:
        """Minutes after local midnight by which the resident is nearly always up; None
        until a few mornings have been seen (the inactivity rule covers a still bedroom)."""
        if self.wake.sum() < MIN_MORNINGS:
            return None
        counts = self.wake[day_type] + 0.5 * self.wake[1 - day_type] + WAKE_PRIOR
        latest = (quantile_slot(counts, 0.95) + 1) * 15.0
        return min(latest + 90.0 / sensitivity, 13 * 60.0)

    def usual_wake_min(self, day_type: int) -> float:
        counts = self.wake[day_type] + 0.5 * self.wake[1 - day_type] + WAKE_PRIOR
        return quantile_slot(counts, 0.5) * 15.0 + 7.5

    # -- going to bed -------------------------------------------------------------------
    def learn_bed(self, local: datetime) -> None:
        self.bed[slot_of(local)] += 1.0

    def in_bed_share(self, local: datetime) -> float:
        """On how many nights she is in bed at this time of night: gone to bed before it and
        not yet up, by her own bed and rising times (each from its prior)."""
        went = np.roll(self.bed + BED_PRIOR, -NOON)
        rose = np.roll(self.wake.sum(axis=0) + WAKE_PRIOR, -NOON)
        at = (slot_of(local) - NOON) % SLOTS
        share = np.cumsum(went)[at] / went.sum() - np.cumsum(rose)[at] / rose.sum()
        return float(max(share, 0.0))

    # -- bathroom visits -------------------------------------------------------------------
    def learn_bath(self, duration_s: float) -> None:
        bump_into(self.bath, duration_s)

    def bath_limits_s(self, sensitivity: float = 1.0) -> tuple[float, float]:
        """(threshold, usual) visit duration."""
        counts = self.bath + BATH_PRIOR
        long, usual = survival_quantile_s(counts, 0.001), survival_quantile_s(counts, 0.1)
        return min(max(long * 1.5 / sensitivity, 3600.0), 4 * 3600.0), usual

    # -- meals -----------------------------------------------------------------------------
    def learn_meal_day(self, window: int, first_local: datetime | None) -> None:
        """A day at home during `window`: when the kitchen was first used (None: not at all)."""
        self.meal_days[window] += 1.0
        if first_local is not None:
            self.meals[window, slot_of(first_local)] += 1.0

    def meal_deadline_min(self, window: int) -> float | None:
        """Minutes after midnight by which the kitchen is nearly always used; None when this
        window is not a habit (skipped on more than one day in ten)."""
        _, start_h, end_h = MEALS[window]
        if self.meal_days[window] < MIN_MEAL_DAYS:
            return None  # a meal habit must be seen before it is expected
        used = float(self.meals[window].sum()) + MEAL_PRIOR_DAYS
        if used / (float(self.meal_days[window]) + MEAL_PRIOR_DAYS) < 0.9:
            return None
        counts = self.meals[window].copy()
        counts[start_h * 4 : end_h * 4] += MEAL_PRIOR_DAYS / ((end_h - start_h) * 4)
        latest = (quantile_slot(counts, 0.95) + 1) * 15.0
        return min(latest + 60.0, end_h * 60.0 + 60.0)

"""Local time slots and log-duration histograms shared by every learned habit."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from analytics.times_of_day import is_night_hour

Array = npt.NDArray[np.float64]

SLOTS = 96  # 15-minute slots in a local day
DAY_TYPES = 2  # 0 weekday, 1 weekend
BINS = 48
EDGES_S = np.exp(np.linspace(math.log(60.0), math.log(86400.0), BINS + 1))
CENTRES_S = np.sqrt(EDGES_S[:-1] * EDGES_S[1:])
_BUMP = np.exp(-0.5 * (np.arange(-4, 5) / 1.0) ** 2)
_BUMP /= _BUMP.sum()


def slot_of(local: datetime) -> int:
    return (local.hour * 60 + local.minute) // 15


def day_type_of(local: datetime) -> int:
    return 1 if local.weekday() >= 5 else 0


def is_night(local: datetime) -> bool:
    return is_night_hour(local.hour)


def bump_into(histogram: Array, duration_s: float) -> None:
    """Add one duration as a small Gaussian bump in log-time (so the tail extends a little
    beyond the longest value seen, rather than stopping dead at it)."""
    b = int(np.searchsorted(EDGES_S, min(duration_s, EDGES_S[-1] - 1), side="right")) - 1
    lo, hi = max(b - 4, 0), min(b + 5, BINS)
    histogram[lo:hi] += _BUMP[lo - b + 4 : hi - b + 4]


def survival_quantile_s(counts: Array, tail: float) -> float:
    """Smallest bin edge beyond which at most `tail` of the mass lies."""
    survival = 1.0 - np.cumsum(counts) / counts.sum()
    return float(EDGES_S[1 + min(int(np.searchsorted(-survival, -tail)), BINS - 1)])


class HourlyHistograms:
    """Log-duration histograms per key and local hour (24 x BINS each), fading together."""

    def __init__(self, keys_name: str, values_name: str) -> None:
        self.names = keys_name, values_name  # how `arrays` saves them
        self.histograms: dict[str, Array] = {}

    def copy(self) -> Self:
        other = object.__new__(type(self))
        other.names = self.names
        other.histograms = {key: value.copy() for key, value in self.histograms.items()}
        return other

    def decay(self, factor: float) -> None:
        for histogram in self.histograms.values():
            histogram *= factor

    def learn(self, key: str, hour: int, duration_s: float) -> None:
        bump_into(self.histograms.setdefault(key, np.zeros((24, BINS)))[hour], duration_s)

    def near(self, key: str, hour: int, hours: int) -> Array | None:
        """The durations of `key` begun within `hours` of `hour`, summed; None if none."""
        histogram = self.histograms.get(key)
        if histogram is None:
            return None
        window = (np.arange(-hours, hours + 1) + hour) % 24
        return np.asarray(histogram[window].sum(axis=0), dtype=np.float64)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        keys = sorted(self.histograms)
        stacked = np.stack([self.histograms[k] for k in keys]) if keys else np.zeros((0, 0, 0))
        return {self.names[0]: np.array(keys, dtype=np.str_), self.names[1]: stacked}

    def load(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        """From `arrays()`; left empty if the saved model predates these histograms."""
        if self.names[0] not in arrays:
            return
        keys, stacked = arrays[self.names[0]], arrays[self.names[1]]
        self.histograms = {str(key): stacked[i].copy() for i, key in enumerate(keys)}

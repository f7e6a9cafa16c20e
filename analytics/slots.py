"""Local time slots and log-duration histograms shared by every learned habit."""

from __future__ import annotations

import math
from datetime import datetime

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

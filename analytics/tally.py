"""Fading counts per key, kept in the routine model and saved with it.

The model remembers a few facts about devices that no histogram holds: which sensor fires on
its own in the empty home, which two sensors see the same doorway. Each is a count per key
that fades with the rest of the model, so a sensor that was moved is forgiven.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt


class Tally:
    def __init__(self) -> None:
        self.counts: dict[str, float] = {}
        # key -> the day it was last counted on, for counts of days (not kept across restarts:
        # at worst one day counts twice)
        self._days: dict[str, int] = {}

    def copy(self) -> Tally:
        other = Tally()
        other.counts = dict(self.counts)
        other._days = dict(self._days)
        return other

    def add(self, key: str, day: int | None = None) -> None:
        """Count one for `key`; with `day` (an ordinal), at most one a day."""
        if day is not None:
            if self._days.get(key) == day:
                return
            self._days[key] = day
        self.counts[key] = self.counts.get(key, 0.0) + 1.0

    def reaches(self, key: str, count: float) -> bool:
        return self.counts.get(key, 0.0) >= count

    def decay(self, factor: float) -> None:
        self.counts = {key: n * factor for key, n in self.counts.items()}

    def arrays(self, name: str) -> dict[str, npt.NDArray[Any]]:
        keys = sorted(self.counts)
        return {
            f"{name}_keys": np.array(keys, dtype=np.str_),
            f"{name}_counts": np.array([self.counts[k] for k in keys]),
        }

    @classmethod
    def load(cls, arrays: Mapping[str, npt.NDArray[Any]], name: str) -> Tally:
        """From `arrays(name)`; empty if the saved model predates this tally."""
        tally = cls()
        if f"{name}_keys" in arrays:
            keys, counts = arrays[f"{name}_keys"], arrays[f"{name}_counts"]
            tally.counts = {str(k): float(n) for k, n in zip(keys, counts, strict=True)}
        return tally

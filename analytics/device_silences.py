"""Quiet spells per last device: the level below the place in the routine model's hierarchy.

A room's silences mix very different starts: a doorway sensor the resident walks past is
followed by movement within minutes, the armchair sensor by an hour of television. Per device
and local hour, the home's own silences refine the place-level threshold: the device's
histogram, shrunk toward the place-level distribution (`SHRINK` pseudo-silences), gets the
same tail probability the place-level threshold allows. The refinement may only shorten the
limit, and only once the device has enough silences around this hour (`MIN_SILENCES`) that
its tail is its own rather than noise; otherwise the place-level limit stands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from analytics.home import Place
from analytics.slots import BINS, Array, bump_into, survival_quantile_s

HOURS = 24
NEAR_HOURS = 1  # silences starting within this many hours of the same one speak
SHRINK = 30.0  # the place-level distribution counts as this many of the device's silences
MIN_SILENCES = 15.0


class DeviceSilences:
    """Log-duration histograms per (last device, place context) and local hour."""

    def __init__(self) -> None:
        self.histograms: dict[str, Array] = {}  # "device|place" -> (HOURS, BINS)

    @staticmethod
    def _key(device: str, place: Place) -> str:
        return f"{device}|{int(place)}"

    def copy(self) -> DeviceSilences:
        other = DeviceSilences()
        other.histograms = {key: value.copy() for key, value in self.histograms.items()}
        return other

    def decay(self, factor: float) -> None:
        for histogram in self.histograms.values():
            histogram *= factor

    def learn(self, device: str, place: Place, hour: int, duration_s: float) -> None:
        key = self._key(device, place)
        histogram = self.histograms.setdefault(key, np.zeros((HOURS, BINS)))
        bump_into(histogram[hour], duration_s)

    def threshold_s(
        self, device: str, place: Place, hour: int, counts: Array, threshold_bin: int
    ) -> float | None:
        """The limit for a silence after `device`, given the place-level `counts` and the bin
        whose upper edge is their threshold; None while the device has too few silences."""
        histogram = self.histograms.get(self._key(device, place))
        if histogram is None:
            return None
        near = histogram[(np.arange(-NEAR_HOURS, NEAR_HOURS + 1) + hour) % HOURS].sum(axis=0)
        if float(near.sum()) < MIN_SILENCES:
            return None
        place_share = counts / counts.sum()
        tail = float(place_share[threshold_bin:].sum())  # mass from the threshold's bin on
        return survival_quantile_s(near + SHRINK * place_share, tail)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        keys = sorted(self.histograms)
        stacked = np.stack([self.histograms[k] for k in keys]) if keys else np.zeros((0, 0, 0))
        return {"device_keys": np.array(keys, dtype=np.str_), "device_silences": stacked}

    def load(self, arrays: Mapping[str, npt.NDArray[Any]]) -> None:
        keys, stacked = arrays["device_keys"], arrays["device_silences"]
        self.histograms = {str(key): stacked[i].copy() for i, key in enumerate(keys)}

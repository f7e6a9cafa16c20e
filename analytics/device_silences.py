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

from analytics.home import Place
from analytics.slots import Array, HourlyHistograms, survival_quantile_s

NEAR_HOURS = 1  # silences starting within this many hours of the same one speak
SHRINK = 30.0  # the place-level distribution counts as this many of the device's silences
MIN_SILENCES = 15.0


class DeviceSilences(HourlyHistograms):
    """Log-duration histograms per (last device, place context) and local hour."""

    def __init__(self) -> None:
        super().__init__("device_keys", "device_silences")

    @staticmethod
    def _key(device: str, place: Place) -> str:
        return f"{device}|{int(place)}"

    def learn_after(self, device: str, place: Place, hour: int, duration_s: float) -> None:
        self.learn(self._key(device, place), hour, duration_s)

    def threshold_s(
        self, device: str, place: Place, hour: int, counts: Array, threshold_bin: int
    ) -> float | None:
        """The limit for a silence after `device`, given the place-level `counts` and the bin
        whose upper edge is their threshold; None while the device has too few silences."""
        near = self.near(self._key(device, place), hour, NEAR_HOURS)
        if near is None or float(near.sum()) < MIN_SILENCES:
            return None
        place_share = counts / counts.sum()
        tail = float(place_share[threshold_bin:].sum())  # mass from the threshold's bin on
        return survival_quantile_s(near + SHRINK * place_share, tail)

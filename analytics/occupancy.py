"""Occupancy as a state: a bed or chair mat says someone is on it until it is released.

A long stillness while a trusted mat is pressed is someone sitting or lying there: it is
judged by how long she usually stays on that device at that hour, not by the room's quiet
spells. Getting up (the mat released) and then nothing is the opposite: people who get up walk
somewhere, so the silence after a release is judged by how soon something usually follows it.
Both are learned per device and local hour, each from a cautious prior, and fade like the rest
of the routine model.
"""

from __future__ import annotations

import numpy as np

from analytics.slots import BINS, CENTRES_S, Array, HourlyHistograms, survival_quantile_s
from devices.signals import DeviceKind, Role, Signal

NEAR_HOURS = 2  # stays begun within this many hours of the same one speak
# Allowed share of stays (or of getting-ups) that outlast the limit: with one to three a day
# on a device, about one false call per device and month or two.
TAIL = 0.01
# Getting up then nothing is judged by the device's own record only once it holds this many
# getting-ups around the hour: before, the room's limit stands (someone may get up and walk to
# a room no sensor sees, and a few days cannot tell).
UP_EVIDENCE = 10.0
# Shorter stays are shifting on the mat or passing, not a sitting: they say nothing of how long
# a sitting may last (mats flap on and off through a night).
MIN_STAY_S = 30 * 60.0


def _lognormal(median_min: float, sigma: float, weight: float) -> Array:
    pdf = np.exp(-0.5 * (np.log(CENTRES_S / (median_min * 60.0)) / sigma) ** 2)
    return np.asarray(weight * pdf / pdf.sum(), dtype=np.float64)


# Priors, worth a few stays each, so the first days are cautious but not blind: a sitting lasts
# about an hour (long tail: an evening of television), a night in bed about 7 h; after getting
# up something moves within minutes.
SIT_PRIOR = _lognormal(60.0, 1.0, 3.0)
LIE_PRIOR = _lognormal(420.0, 0.5, 3.0)
UP_PRIOR = _lognormal(3.0, 1.0, 5.0)


def holds_state(kind: DeviceKind, role: Role, signal: Signal) -> bool:
    """A device whose "occupied" lasts (a bed or chair mat), unlike a PIR's pulse."""
    return signal == Signal.OCCUPANCY and (kind == DeviceKind.PRESSURE or role in _SEATS)


_SEATS = frozenset({Role.BED, Role.CHAIR})


class Occupancy(HourlyHistograms):
    """Per device: how long she stays on it, and how long the quiet after getting up lasts."""

    def __init__(self) -> None:
        super().__init__("occupancy_keys", "occupancy")  # "device|stay", "device|up"

    def _near(self, key: str, hour: int) -> Array:
        near = self.near(key, hour, NEAR_HOURS)
        return np.zeros(BINS) if near is None else near

    def learn_stay(self, device: str, hour: int, duration_s: float) -> None:
        if duration_s >= MIN_STAY_S:
            self.learn(f"{device}|stay", hour, duration_s)

    def learn_up(self, device: str, hour: int, duration_s: float) -> None:
        """A silence after getting up from `device`, ended by something other than a mat (back
        on a mat, she had not got up)."""
        self.learn(f"{device}|up", hour, duration_s)

    def stay_limit_s(self, device: str, hour: int, bed: bool) -> float:
        """How long a stay on `device` begun at `hour` may last before it is unusual."""
        counts = self._near(f"{device}|stay", hour) + (LIE_PRIOR if bed else SIT_PRIOR)
        return survival_quantile_s(counts, TAIL)

    def up_limit_s(self, device: str, hour: int) -> float | None:
        """How long nothing may follow getting up from `device` at `hour`; None while the
        device has too few getting-ups around that hour (`UP_EVIDENCE`)."""
        near = self._near(f"{device}|up", hour)
        if float(near.sum()) < UP_EVIDENCE:
            return None
        return survival_quantile_s(near + UP_PRIOR, TAIL)

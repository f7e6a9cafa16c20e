"""The routine model of one home: how long quiet spells last, per local time slot and place.

Silences are learned in the home's *local* time (15-minute slots, weekday/weekend), so a
daylight-saving change shifts nothing. Each completed silence adds a smoothed bump to a
histogram of log-durations for (day type, slot, place). Thresholds come from the predictive
distribution: the home's histogram plus conservative population prior pseudo-counts, so
there is no blind period; the home's own data take over as they arrive, and old data decay
(half-life `HALF_LIFE_DAYS`) so a changed routine is learned. Below the place, the last device
before the silence refines the limit (`analytics.device_silences`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from analytics.device_silences import DeviceSilences
from analytics.habits import Habits
from analytics.home import Place
from analytics.occupancy import Occupancy
from analytics.slots import (
    BINS,
    CENTRES_S,
    DAY_TYPES,
    EDGES_S,
    SLOTS,
    Array,
    bump_into,
    day_type_of,
    slot_of,
    survival_quantile_s,
)
from analytics.tally import Tally
from analytics.times_of_day import is_night_hour

PLACES = len(Place)
MIN_SILENCE_S = 300.0  # shorter silences say nothing about the tail we care about
HALF_LIFE_DAYS = 42.0
RING_DAYS = 28  # "the longest quiet spell in 4 weeks"
NOISY_EVENTS = 10  # lone events of one sensor in an empty home: it fires on its own
# Days on which sensors in two rooms fired within seconds of each other: past this, their
# fields of view meet (one person passing), rather than two people being at home.
OVERLAP_DAYS = 3

# Population prior per place, for silences (>= 5 min) starting in the day and at night:
# (how many start in one 15-minute slot per day, median minutes, log-sd). Deliberately
# long-tailed: before the home's data arrive, alerts come late rather than falsely.
# Daytime priors are checked against the real homes that have motion sensors (3,692 active
# slot-days, `docs/analytics.md`): beyond an hour, where alerts fall, each expects about as
# many quiet spells as those homes had, or more. An office ("other") holds long ones (hours
# at a desk), a kitchen short ones.
_PRIOR_DAY = {
    Place.BEDROOM: (0.05, 45.0, 1.0),
    Place.BATHROOM: (0.05, 8.0, 0.8),
    Place.KITCHEN: (0.1, 10.0, 0.7),
    Place.LIVING: (0.2, 20.0, 0.9),
    Place.OTHER: (0.1, 15.0, 1.0),
    Place.ENTRANCE: (0.05, 90.0, 1.0),
    Place.NIGHT_UP: (0.01, 6.0, 0.5),
    Place.HALL: (0.05, 15.0, 1.0),
}
_PRIOR_NIGHT = {
    # Not yet known to be in bed: the resident may well have gone to bed unseen.
    Place.BEDROOM: (0.1, 300.0, 0.8),
    Place.BATHROOM: (0.05, 45.0, 1.3),
    Place.KITCHEN: (0.03, 45.0, 1.3),
    Place.LIVING: (0.05, 60.0, 1.2),
    Place.OTHER: (0.03, 45.0, 1.3),
    Place.ENTRANCE: (0.02, 120.0, 1.0),
    # Out of bed at night: trips are short, and a long one is what we watch for.
    Place.NIGHT_UP: (0.05, 6.0, 0.5),
    Place.HALL: (0.03, 45.0, 1.3),
}
PRIOR_DAYS = 2.0  # the prior counts as this many days of the home's own data
POOL_DAYS = 3.0  # the same place at other hours counts as at most this many days
# Allowed rate of silences beyond the threshold, per 15-minute slot and day: about one
# false alert per home-month spread over the slots a resident is active in.
RATE = 2e-4
_NIGHT_SLOTS = np.array([is_night_hour(slot // 4) for slot in range(SLOTS)])
# Places where a quiet spell is someone up and about at home: not in the bedroom, not out.
_UP_AND_ABOUT = [int(p) for p in Place if p not in (Place.BEDROOM, Place.ENTRANCE, Place.NIGHT_UP)]
_KERNEL = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 3.0, 2.0, 1.0]) / 5.0  # ±1 h around a slot


def _tail(counts: Array) -> Array:
    """counts per bin -> mass beyond each bin's upper edge."""
    return np.asarray(counts.sum() - np.cumsum(counts), dtype=np.float64)


def _lognormal_pdf(median_min: float, sigma: float) -> Array:
    z = (np.log(CENTRES_S / (median_min * 60.0))) / sigma
    pdf = np.exp(-0.5 * z * z)
    return np.asarray(pdf / pdf.sum(), dtype=np.float64)


def _build_prior() -> Array:
    """Per slot and place: expected silences per day by duration bin."""
    prior = np.zeros((SLOTS, PLACES, BINS))
    for slot in range(SLOTS):
        table = _PRIOR_NIGHT if _NIGHT_SLOTS[slot] else _PRIOR_DAY
        for place, (rate, median, sigma) in table.items():
            prior[slot, place] = rate * _lognormal_pdf(median, sigma)
    return prior


PRIOR = _build_prior()


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the model expects of a silence starting at a given local time and place."""

    threshold_s: float  # alert when the silence lasts longer than this
    usual_s: float  # 90% of such silences end within this
    longest_s: float | None  # longest seen around this time in the last 4 weeks
    learned: float  # days of the home's own data behind this


class RoutineModel:
    """Silence statistics of one home. Mutable; cheap to copy (about 40 kB, plus 9 kB per
    device and place that silences started from)."""

    def __init__(self) -> None:
        self.silences = np.zeros((DAY_TYPES, SLOTS, PLACES, BINS))
        self.ring_max = np.zeros((RING_DAYS, 24, PLACES))
        self.ring_day = np.full(RING_DAYS, -1, dtype=np.int64)
        self.offset = np.ones((DAY_TYPES, SLOTS))  # feedback: >1 after false alarms
        # days on which the resident was active at home in each slot: the exposure against
        # which silence counts become rates
        self.exposure = np.zeros((DAY_TYPES, SLOTS))
        self._exposed = (-1, -1)
        self.day = -1  # local date ordinal the decay was last applied for
        self.habits = Habits()
        self.devices = DeviceSilences()
        self.occupancy = Occupancy()
        # per device: events it made on its own while nobody was home (decaying like the rest)
        self.lone_while_out = Tally()
        # per pair of rooms: days their sensors fired within seconds of each other
        self.overlaps = Tally()
        # night trips out of bed: "back" (seen returning to the bedroom) or "unseen"
        self.night_trips = Tally()

    def copy(self) -> RoutineModel:
        other = RoutineModel.__new__(RoutineModel)
        other.silences = self.silences.copy()
        other.ring_max = self.ring_max.copy()
        other.ring_day = self.ring_day.copy()
        other.offset = self.offset.copy()
        other.exposure = self.exposure.copy()
        other._exposed = self._exposed
        other.day = self.day
        other.habits = self.habits.copy()
        other.devices = self.devices.copy()
        other.occupancy = self.occupancy.copy()
        other.lone_while_out = self.lone_while_out.copy()
        other.overlaps = self.overlaps.copy()
        other.night_trips = self.night_trips.copy()
        return other

    def advance_day(self, ordinal: int) -> None:
        """Forget a little each local day."""
        if self.day >= 0 and ordinal > self.day:
            factor = 0.5 ** ((ordinal - self.day) / HALF_LIFE_DAYS)
            self.silences *= factor
            self.exposure *= factor
            self.habits.decay(factor)
            self.devices.decay(factor)
            self.occupancy.decay(factor)
            self.lone_while_out.decay(factor)
            self.overlaps.decay(factor)
            self.night_trips.decay(factor)
        self.day = max(self.day, ordinal)

    def note_lone_while_out(self, device: str) -> None:
        self.lone_while_out.add(device)

    def fires_alone(self, device: str) -> bool:
        """Known to fire in the empty home: `NOISY_EVENTS` lone events or more, recently."""
        return self.lone_while_out.reaches(device, NOISY_EVENTS)

    @staticmethod
    def _pair(a: str, b: str) -> str:
        return "|".join(sorted((a, b)))

    def note_overlap(self, a: str, b: str, local: datetime) -> None:
        """Sensors in rooms `a` and `b` fired within seconds of each other."""
        self.overlaps.add(self._pair(a, b), local.toordinal())

    def overlap(self, a: str, b: str) -> bool:
        """Sensors in rooms `a` and `b` fire together on most days: their fields of view meet."""
        return self.overlaps.reaches(self._pair(a, b), OVERLAP_DAYS)

    def note_presence(self, local: datetime) -> None:
        """The resident moved at home at `local`: this slot of this day counts as exposure."""
        key = (local.toordinal(), slot_of(local))
        if key != self._exposed:
            self._exposed = key
            self.advance_day(key[0])
            self.exposure[day_type_of(local), key[1]] += 1.0

    def learn_silence(
        self, start_local: datetime, place: Place, duration_s: float, device: str | None = None
    ) -> None:
        """A silence that started at `start_local` in `place`, after an event of `device`."""
        if duration_s < MIN_SILENCE_S:
            return
        self.advance_day(start_local.toordinal())
        if device is not None:
            self.devices.learn_after(device, place, start_local.hour, duration_s)
        bump_into(self.silences[day_type_of(start_local), slot_of(start_local), place], duration_s)
        ring = start_local.toordinal() % RING_DAYS
        if self.ring_day[ring] != start_local.toordinal():
            self.ring_day[ring] = start_local.toordinal()
            self.ring_max[ring] = 0.0
        hour = start_local.hour
        self.ring_max[ring, hour, place] = max(self.ring_max[ring, hour, place], duration_s)

    def expect(
        self,
        start_local: datetime,
        place: Place,
        sensitivity: float = 1.0,
        device: str | None = None,
        sits_unseen: bool = False,
        sleeps_unseen: bool = False,
    ) -> Expectation:
        """How long a silence starting now in `place` (after an event of `device`) may last:
        the threshold is where the expected number of longer silences per day in this slot
        falls below `RATE`, refined by what silences after this device do. `sits_unseen`:
        no motion sensor sees the resident sit, so any place may be followed by a sitting;
        `sleeps_unseen`: nothing sees her in bed, so any place at night may be followed by sleep."""
        day_type, slot = day_type_of(start_local), slot_of(start_local)
        idx = (np.arange(-4, 5) + slot) % SLOTS
        own = _KERNEL @ (
            self.silences[day_type, idx, place] + 0.5 * self.silences[1 - day_type, idx, place]
        )
        days = float(
            _KERNEL @ (self.exposure[day_type, idx] + 0.5 * self.exposure[1 - day_type, idx])
        )
        # The same place at any hour of the same period (day or night) speaks too: it adapts
        # the whole place (e.g. a kitchen next to an unmonitored living room) within days.
        period = _NIGHT_SLOTS if bool(_NIGHT_SLOTS[slot]) else ~_NIGHT_SLOTS
        pooled_days = float(self.exposure[:, period].sum())
        own_days = days / float(_KERNEL.sum())
        fade = POOL_DAYS / (POOL_DAYS + own_days)  # borrowed strength fades as own days grow
        pool_w = min(POOL_DAYS, pooled_days / int(period.sum())) * float(_KERNEL.sum()) * fade
        pooled = self.silences[:, period, place].sum(axis=(0, 1)) / max(pooled_days, 1.0)
        # The prior fades as the home's own days at this hour accumulate.
        prior_w = PRIOR_DAYS * float(_KERNEL.sum()) * PRIOR_DAYS / (PRIOR_DAYS + own_days)
        rows = PRIOR[idx, place]
        if sits_unseen and place not in (Place.ENTRANCE, Place.NIGHT_UP):
            rows = np.maximum(rows, PRIOR[idx, Place.LIVING])
        if sleeps_unseen and place != Place.ENTRANCE and bool(_NIGHT_SLOTS[slot]):
            rows = np.maximum(rows, PRIOR[idx, Place.BEDROOM])
        prior = (_KERNEL @ rows) / float(_KERNEL.sum())
        counts = own + pool_w * pooled + prior_w * prior
        per_day = _tail(counts) / (days + pool_w + prior_w)
        limit = RATE * sensitivity / float(self.offset[day_type, slot])
        threshold_bin = min(int(np.searchsorted(-per_day, -limit)), BINS - 1)
        threshold = float(EDGES_S[1 + threshold_bin])
        if device is not None:
            refined = self.devices.threshold_s(
                device, place, start_local.hour, counts, threshold_bin
            )
            threshold = min(threshold, refined or threshold)
        usual = survival_quantile_s(counts, 0.1)
        return Expectation(threshold, usual, self.longest(start_local, place), own_days)

    def offset_at(self, local: datetime) -> float:
        """The feedback factor (>= 1) for this local slot."""
        return float(self.offset[day_type_of(local), slot_of(local)])

    def count_near(self, local: datetime, place: Place) -> float:
        """Silences (>= 5 min) seen starting in `place` within an hour of this time of day."""
        idx = (np.arange(-4, 5) + slot_of(local)) % SLOTS
        return float(self.silences[:, idx, place].sum())

    def longest(self, local: datetime, place: Place) -> float | None:
        recent = self.ring_day > local.toordinal() - RING_DAYS
        hours = (np.arange(-1, 2) + local.hour) % 24
        value = float(self.ring_max[recent][:, hours, int(place)].max(initial=0.0))
        return value or None

    def record_s(self, local: datetime, hours: range) -> tuple[float, int]:
        """The home's longest quiet spell at home outside the bedroom begun within `hours`
        (local) over the last 4 weeks, and on how many of those days it learned a quiet spell
        at all: its own record, for the ceilings of `analytics.stillness`."""
        recent = self.ring_day > local.toordinal() - RING_DAYS
        spells = self.ring_max[recent][:, hours.start : hours.stop][:, :, _UP_AND_ABOUT]
        return float(spells.max(initial=0.0)), int(recent.sum())

    def home_days(self, local: datetime) -> int:
        """Days in the last 4 weeks on which the home taught the model a quiet spell."""
        return int((self.ring_day > local.toordinal() - RING_DAYS).sum())

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
            "exposure": self.exposure,
            "day": np.array([float(self.day)]),
        }
        buffer = io.BytesIO()
        extra = self.habits.arrays() | self.devices.arrays() | self.occupancy.arrays()
        extra |= self.lone_while_out.arrays("lone") | self.overlaps.arrays("overlap")
        extra |= self.night_trips.arrays("trips")
        np.savez_compressed(buffer, allow_pickle=False, **arrays, **extra)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RoutineModel:
        model = cls()
        with np.load(io.BytesIO(data)) as arrays:
            model.silences = arrays["silences"]
            model.ring_max = arrays["ring_max"]
            model.ring_day = arrays["ring_day"].astype(np.int64)
            model.offset = arrays["offset"]
            model.exposure = arrays["exposure"]
            model.day = int(arrays["day"][0])
            model.habits.load(
                {name: arrays[name] for name in model.habits.arrays() if name in arrays}
            )
            if "device_keys" in arrays:  # models saved before devices were learned lack them
                model.devices.load(arrays)
            model.occupancy.load(arrays)
            model.lone_while_out = Tally.load(arrays, "lone")
            model.overlaps = Tally.load(arrays, "overlap")
            model.night_trips = Tally.load(arrays, "trips")
        return model

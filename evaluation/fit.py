"""Fit what the detector takes from other homes (`analytics.calibration`) on a set of homes'
logs: `veille eval` fits it on all homes but the one it scores."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from analytics.calibration import CEILING_MARGIN, CEILING_STEP, Calibration
from analytics.engine import HomeDetector
from analytics.home import HomeConfig, Observation, Place
from analytics.stillness import DAY_HOURS, EVENING_HOURS
from evaluation.hindsight import SilenceLog
from evaluation.replay import replay

# Not the resident still at home: out (after the front door), in bed, or up at night.
NOT_AWAKE_AT_HOME = frozenset({Place.BEDROOM, Place.ENTRANCE, Place.NIGHT_UP})


@dataclass(frozen=True, slots=True)
class Longest:
    """A home's longest quiet spells outside the bedroom, by when they began, in seconds."""

    day_s: float = 0.0
    evening_s: float = 0.0


def longest(config: HomeConfig, recordings: Iterable[Sequence[Observation]]) -> Longest:
    """One home's training log, replayed through the detector to see its quiet spells."""
    day_s = evening_s = 0.0
    for stream in recordings:
        log = SilenceLog()
        replay(HomeDetector(config, log), stream)
        for local, place, seconds in log.log:
            if place in NOT_AWAKE_AT_HOME:
                continue
            if local.hour in DAY_HOURS:
                day_s = max(day_s, seconds)
            elif local.hour in EVENING_HOURS:
                evening_s = max(evening_s, seconds)
    return Longest(day_s, evening_s)


def _ceiling(longest_s: float) -> timedelta:
    steps = math.ceil(longest_s * CEILING_MARGIN / CEILING_STEP.total_seconds())
    return max(1, steps) * CEILING_STEP


def fit_calibration(homes: Iterable[Longest]) -> Calibration:
    """The ceilings over these homes: above the longest quiet spell any of them had."""
    homes = list(homes)
    if not homes:
        raise ValueError("a calibration needs at least one home")
    return Calibration(
        day_ceiling=_ceiling(max(h.day_s for h in homes)),
        evening_ceiling=_ceiling(max(h.evening_s for h in homes)),
    )

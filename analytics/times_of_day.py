"""The parts of a local day the detector and the family digest both speak of: meal times and
the night. Defined once, so the digest never says "no sign of lunch" at an hour the detector
counts as lunch, nor counts a night the detector does not."""

from __future__ import annotations

# Meal windows (local hours, start inclusive, end exclusive): when a kitchen visit is expected
# on most days.
MEALS = (("breakfast", 6, 11), ("lunch", 11, 15), ("dinner", 17, 21))
NIGHT_START_H, NIGHT_END_H = 22, 7  # local hours: 22:00 to 06:59


def is_night_hour(hour: int) -> bool:
    return hour >= NIGHT_START_H or hour < NIGHT_END_H

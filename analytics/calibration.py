"""What the detector takes from real homes other than the one it watches: the constants fitted
on a set of homes' logs (`evaluation.fit`), not learned from the home itself.

The shipped values are the fit on every single-resident home in `../shared/data`; `veille eval`
scores each of those homes with a fit on the others only, so its figures describe a home the
constants never saw. A test re-fits them and checks these numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

# Awake in the daytime, this long without any movement is worth a call whatever the habit.
# Learned limits are often far longer (10 h in a bedroom on a home's first days): a learner
# keeps a margin above what it has seen. Fitted (`evaluation.fit.fit_calibration`): the longest
# quiet spell outside the bedroom any of the homes had in these hours, plus `CEILING_MARGIN`,
# rounded up to `CEILING_STEP`. In the five homes: begun 08:00-18:00, 2 h 28 (CASAS; kasteren-a,
# with contact switches only, 1 h 55); begun 18:00-21:00, 3 h 3 (CASAS's evenings in front of
# the television).
DAY_CEILING = timedelta(hours=3)  # outside the bedroom, begun 08:00-18:00
EVENING_CEILING = timedelta(hours=3, minutes=30)  # outside the bedroom, begun 18:00-21:00
CEILING_MARGIN = 1.1  # above the longest spell seen: another home sits a little longer
CEILING_STEP = timedelta(minutes=30)  # a ceiling a family can be told ("after 3 h 30")


@dataclass(frozen=True, slots=True)
class Calibration:
    day_ceiling: timedelta = DAY_CEILING
    evening_ceiling: timedelta = EVENING_CEILING


SHIPPED = Calibration()

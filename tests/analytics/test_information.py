"""Information alerts (no meal, out at night) only when the home's own history makes them
unusual."""

from __future__ import annotations

from datetime import timedelta

from analytics.engine import HomeDetector
from evaluation.replay import advance
from tests.analytics.days import DAY, START, Event, daytime, feed, home, to_bed
from tests.analytics.simulated import flags

ROOMS = ("bedroom-pir", "bathroom-pir", "kitchen-pir", "living-pir", "hall-pir", "front-door")


def late_evenings(days: int = 14) -> HomeDetector:
    """Days with the kitchen used at every meal, in the living room until 00:20, then bed."""
    detector = home(*ROOMS)
    evening: list[Event] = [(1080 + 10 * i, "living-pir", 1) for i in range(38)]
    evening += [(1085, "kitchen-pir", 1), *to_bed(1460)]
    for n in range(days):
        feed(detector, START + n * DAY, daytime() + evening)
    return detector


def test_no_meal_is_not_told_the_day_she_lunched_out() -> None:
    detector = late_evenings()
    day = START + 14 * DAY
    morning = [e for e in daytime() if e[0] < 11 * 60 + 30]
    out: list[Event] = [(700, "hall-pir", 1), (701, "front-door", 1), (702, "front-door", 0)]
    back: list[Event] = [(870, "front-door", 1), (871, "hall-pir", 1), (873, "living-pir", 1)]
    back += [(880 + 10 * i, "living-pir", 1) for i in range(12)]
    raised = feed(detector, day, morning + out + back)
    raised += flags(advance(detector, day + timedelta(hours=17)))
    assert [f.kind for f in raised] == []
    assert detector.model.habits.meal_deadline_min(1) is not None  # lunch at home is her habit


def test_out_at_night_waits_for_her_own_return_times() -> None:
    """She is usually up until after midnight: out at 22:18 is an evening out, not a wandering."""
    detector = late_evenings()
    day = START + 14 * DAY
    evening: list[Event] = [(1080 + 10 * i, "living-pir", 1) for i in range(26)]
    evening += [(1336, "hall-pir", 1), (1338, "front-door", 1), (1339, "front-door", 0)]
    evening += [(1410, "front-door", 1), (1411, "hall-pir", 1), (1413, "living-pir", 1)]
    raised = feed(detector, day, daytime() + evening)
    assert [f.kind for f in raised] == []
    # The same departure at 03:00, when she is always in bed, is called within the hour.
    night = START + 15 * DAY
    raised = feed(detector, night, [(180, "hall-pir", 1), (182, "front-door", 1)])
    [flag] = flags(advance(detector, night + timedelta(hours=4)))
    assert flag.kind == "out_at_night"
    assert flag.at <= night + timedelta(hours=3, minutes=50)

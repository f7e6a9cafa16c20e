"""Occupancy as a state, and what the sensors can see: the mechanisms that generalise."""

from __future__ import annotations

from datetime import timedelta

from analytics.decision import Flag
from analytics.engine import HomeDetector
from analytics.home import Observation
from analytics.stillness import seated
from devices.signals import Signal
from evaluation.replay import advance
from tests.analytics.days import DAY, START, Event, daytime, feed, home, to_bed
from tests.analytics.simulated import flags


def armchair_evening(release: float = 23 * 60) -> list[Event]:
    """At 18:00 into the armchair, watching television until `release`, then to bed."""
    return [(1080, "chair-mat", 1), (release, "chair-mat", 0), *to_bed(release + 1)]


ARMCHAIR_HOME = ("bedroom-pir", "bathroom-pir", "kitchen-pir", "living-pir", "hall-pir")


def evenings_in_the_armchair(days: int = 14) -> HomeDetector:
    detector = home(*ARMCHAIR_HOME, "chair-mat", "front-door")
    for n in range(days):
        feed(detector, START + n * DAY, daytime() + armchair_evening())
    return detector


def test_five_hours_in_her_armchair_every_evening_are_not_called() -> None:
    detector = evenings_in_the_armchair()
    day = START + 14 * DAY
    raised = feed(detector, day, daytime() + armchair_evening())
    raised += flags(advance(detector, day + timedelta(hours=23, minutes=59)))
    assert raised == []


def test_sitting_far_longer_than_she_ever_does_is_called() -> None:
    detector = evenings_in_the_armchair()
    day = START + 14 * DAY
    assert feed(detector, day, [*daytime(), (1080, "chair-mat", 1)]) == []
    [flag] = flags(advance(detector, day + timedelta(hours=18 + 9)))
    assert flag.kind == "inactivity"
    assert flag.at > day + timedelta(hours=23)  # past the 5 hours she sits every evening
    assert "her armchair since 18:00" in flag.explanation


def test_getting_up_from_the_chair_and_then_nothing_is_called_within_the_hour() -> None:
    """Three weeks of evenings: up from the armchair, something moves within a minute."""
    detector = evenings_in_the_armchair(21)
    day = START + 21 * DAY
    feed(detector, day, [*daytime(), (1080, "chair-mat", 1), (1380, "chair-mat", 0)])
    up = day + timedelta(hours=23)
    assert flags(advance(detector, up + timedelta(minutes=20))) == []
    [flag] = flags(advance(detector, up + timedelta(hours=1)))
    assert flag.kind == "inactivity"


def test_a_mat_that_fires_in_the_empty_home_is_not_trusted() -> None:
    detector = evenings_in_the_armchair()
    day = START + 14 * DAY
    # Out from 10:00 to 16:00; the chair mat presses and releases on its own meanwhile.
    alone: list[Event] = [(600, "front-door", 1), (601, "front-door", 0)]
    alone += [(640 + 15 * i + d, "chair-mat", v) for i in range(12) for d, v in ((0, 1), (1, 0))]
    back: list[Event] = [(960, "front-door", 1), (961, "hall-pir", 1), (963, "kitchen-pir", 1)]
    feed(detector, day, [*daytime()[:8], *alone, *back, (1080, "chair-mat", 1)])
    assert detector.state.last_sensor is not None
    assert detector.state.last_sensor.id == "chair-mat"
    assert seated(detector.ctx) is None  # pressed, but not believed
    trusting = evenings_in_the_armchair()
    feed(trusting, day, [*daytime(), (1080, "chair-mat", 1)])
    seat = seated(trusting.ctx)
    assert seat is not None
    assert seat.device == "chair-mat"


def test_a_home_that_cannot_see_the_bed_is_not_called_for_a_return_to_bed() -> None:
    """One hallway PIR, a living-room PIR and a kitchen PIR, and the bedroom's light switch:
    after a walk through the hall at night, the return to bed goes unseen."""
    detector = home("kitchen-pir", "living-pir", "hall-pir", "bedroom-light")
    night: list[Event] = [(23 * 60 + 20, "hall-pir", 1), (23 * 60 + 30, "bedroom-light", 1)]
    night += [(23 * 60 + 45, "bedroom-light", 0)]
    raised: list[Flag] = []
    for n in range(15):
        day = START + n * DAY
        morning: list[Event] = [(450, "hall-pir", 1), (452, "kitchen-pir", 1)]
        evening = [(1080 + 10 * i, "living-pir", 1) for i in range(30)]
        up = daytime(("kitchen-pir", "living-pir", "hall-pir"))[2:]
        raised += feed(detector, day, [*morning, *up, *evening, *night])
        if n == 14:  # the night after: a walk through the hall at 01:00, back to bed unseen
            walk = day + DAY + timedelta(hours=1)
            raised += flags(advance(detector, walk))
            detector.observe(Observation(walk, "hall-pir", Signal.MOTION, 1.0, True))
            raised += flags(advance(detector, day + DAY + timedelta(hours=7, minutes=29)))
    assert [f for f in raised if "not back to bed" in f.explanation] == []
    assert [f for f in raised if f.kind == "inactivity"] == []

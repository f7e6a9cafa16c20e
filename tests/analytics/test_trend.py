from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

from analytics.daily import DayStats
from analytics.trend import score, weekly_summary
from tests.analytics.simulated import simulate


def days(
    n: int,
    wake_shift_from: int | None = None,
    trips_from: int | None = None,
    shift_h: float = 1.0,
) -> list[DayStats]:
    rng = random.Random(3)
    out = []
    for i in range(n):
        late = shift_h if wake_shift_from is not None and i >= wake_shift_from else 0.0
        trips = 2 if trips_from is not None and i >= trips_from else rng.choice([0, 1, 1, 1])
        out.append(
            DayStats(
                date(2026, 1, 1) + timedelta(days=i),
                wake_h=7.5 + late + rng.gauss(0, 0.25),
                bed_h=22.5 + rng.gauss(0, 0.3),
                night_bathroom_trips=trips
                + (1 if trips_from is not None and i % 2 and i >= trips_from else 0),
                kitchen_visits=rng.choice([4, 5, 6]),
                hours_out=rng.uniform(1, 3),
                activity_events=rng.randint(140, 170),
            )
        )
    return out


def test_a_steady_routine_has_no_findings() -> None:
    assert score(days(56)) == []
    assert weekly_summary(days(56)).startswith("No lasting change")


def test_getting_up_an_hour_later_for_two_weeks_is_reported() -> None:
    [finding] = score(days(42, wake_shift_from=28))
    assert finding.feature == "wake_h"
    assert finding.recent - finding.baseline > 0.7
    assert finding.slope_per_week > 0
    assert "getting up later by 1 h" in finding.text
    assert "(07:34 -> 08:32)" in finding.text  # on the clock, not "7.6 -> 8.5 a day"


def test_night_bathroom_trips_doubling_is_reported() -> None:
    findings = {f.feature: f for f in score(days(42, trips_from=28))}
    assert "night_bathroom_trips" in findings
    assert (
        "doubled" in findings["night_bathroom_trips"].text
        or "up" in findings["night_bathroom_trips"].text
    )
    assert findings["night_bathroom_trips"].text.endswith(" a night)")


def test_a_simulated_two_week_decline_shows_in_the_weekly_summary() -> None:
    detector, _ = simulate(45, ("slow_decline@2026-03-23T00:00:00+01:00,weeks=2",))
    findings = score(detector.days)
    assert any(f.feature == "wake_h" and f.recent > f.baseline for f in findings)
    assert "getting up later" in weekly_summary(detector.days)


def test_too_few_days_are_said_to_be_too_few() -> None:
    assert weekly_summary(days(12)).startswith("Too few days at home so far (12)")


def test_a_week_away_is_not_a_change_in_the_routine() -> None:
    away = [
        DayStats(d.day) if 30 <= i < 37 else d  # nothing at home: wake, meals, activity
        for i, d in enumerate(days(56))
    ]
    for end in range(37, 57):
        assert score(away[:end]) == []


def test_one_late_morning_is_not_a_change() -> None:
    steady = days(56)
    steady[-2] = replace(steady[-2], wake_h=11.5)  # a lie-in after a night out
    assert score(steady) == []


def test_rising_half_an_hour_later_is_told_a_quarter_of_an_hour_is_not() -> None:
    [finding] = score(days(40, wake_shift_from=30, shift_h=0.5))
    assert finding.feature == "wake_h"
    assert "getting up later by 30 min over the last 10 days" in finding.text
    assert score(days(40, wake_shift_from=30, shift_h=0.25)) == []

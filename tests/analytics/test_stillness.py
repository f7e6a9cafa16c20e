"""Thresholds of the stillness rules that do not come from the learned routine alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from analytics.calibration import DAY_CEILING, EVENING_CEILING
from analytics.engine import HomeDetector
from analytics.home import Observation, Place
from analytics.stillness import (
    DAY_HOURS,
    LONG_NIGHT,
    NAP_CEILING,
    NIGHT_UP_CEILING,
    NIGHT_UP_FLOOR,
    RECORD_DAYS,
    RECORD_FLOOR,
    RECORD_ROOM,
    YOUNG_DAYS,
    YOUNG_FLOOR,
    YOUNG_ROOM,
    expectation,
)
from devices.signals import DeviceKind, Signal
from evaluation.replay import advance
from tests.analytics.simulated import START, flags, simulate, two_rooms_at_once

DAY = timedelta(days=1)


def _move(detector: HomeDetector, device: str, minutes: float) -> None:
    now = START + 10 * DAY + timedelta(minutes=minutes)  # the night after the simulated days
    advance(detector, now)
    detector.observe(Observation(now, device, Signal.MOTION, 1.0, True))


def test_up_at_night_and_still_is_flagged_between_the_floor_and_the_ceiling() -> None:
    detector, _ = simulate(10)
    for minutes in range(60, 128, 2):  # in bed from 01:00, turning over
        _move(detector, "bedroom-pir", minutes)
    _move(detector, "bathroom-pir", 130)  # 02:10: up, then nothing
    up = START + 10 * DAY + timedelta(minutes=130)
    assert flags(advance(detector, up + NIGHT_UP_FLOOR)) == []
    [flag] = flags(advance(detector, up + NIGHT_UP_CEILING + timedelta(seconds=1)))
    assert flag.kind == "inactivity"
    assert flag.explanation.startswith("Up at night and not back to bed")


def test_a_bathroom_visit_after_a_long_unseen_quiet_starts_afresh() -> None:
    detector, _ = simulate(10)
    _move(detector, "bathroom-pir", 20 * 60)  # 20:00, then the exit goes unseen
    _move(detector, "bathroom-pir", 23 * 60)  # 23:00: a new visit, not a 3-hour one
    assert detector.state.bath_since == START + 10 * DAY + timedelta(hours=23)
    assert flags(advance(detector, START + 10 * DAY + timedelta(hours=23, minutes=10))) == []


def test_back_to_bed_after_an_early_trip_is_still_watched_for_getting_up() -> None:
    detector, _ = simulate(14)
    day = START + 14 * DAY
    for device, minutes in (("bathroom-pir", 300), ("bathroom-pir", 301), ("bedroom-pir", 305)):
        now = day + timedelta(minutes=minutes)  # 05:00 the toilet, 05:05 back to bed
        advance(detector, now)
        detector.observe(Observation(now, device, Signal.MOTION, 1.0, True))
    assert detector.state.woke_on == day.date()
    [flag] = flags(advance(detector, day + timedelta(hours=13)), "not_up")
    assert flag.at < day + timedelta(hours=12)
    assert "Not up yet" in flag.explanation


def test_to_bed_at_half_past_three_is_not_late_before_half_past_twelve() -> None:
    detector, _ = simulate(10)
    # A late night in the living room (the simulation ends with her in bed at midnight),
    # then to bed at 03:30 local.
    evening = [("living-pir", 10), ("living-pir", 11), ("kitchen-pir", 60), ("living-pir", 62)]
    evening += [("living-pir", m) for m in range(90, 210, 20)] + [("hall-pir", 209)]
    for device, minutes in [*evening, ("bedroom-pir", 210), ("bedroom-pir", 235)]:
        _move(detector, device, minutes)
    bed = START + 10 * DAY + timedelta(hours=3, minutes=30)
    [flag] = flags(advance(detector, bed + timedelta(hours=10)), "not_up")
    assert flag.at == bed + LONG_NIGHT


def _still_from_one_pm(detector: HomeDetector, day: datetime) -> datetime:
    """Moving about the living room until 13:00 (of `day`, offset by hours), then nothing."""
    one_pm = day + timedelta(hours=13)
    for minutes in (-20, -10, 0):
        now = one_pm + timedelta(minutes=minutes)
        advance(detector, now)
        detector.observe(Observation(now, "living-pir", Signal.MOTION, 1.0, True))
    return one_pm


def test_three_daytime_hours_without_movement_are_a_call_whatever_the_habit() -> None:
    detector, _ = simulate(0)  # a new home: the cautious prior allows far longer, no record
    one_pm = _still_from_one_pm(detector, START)
    assert detector.model.expect(one_pm, Place.LIVING).threshold_s > DAY_CEILING.total_seconds()
    assert flags(advance(detector, one_pm + DAY_CEILING)) == []
    [flag] = flags(advance(detector, one_pm + DAY_CEILING + timedelta(seconds=1)))
    assert flag.kind == "inactivity"
    assert flag.explanation.endswith(
        "In the daytime, this long without any movement is worth a call whatever the habit."
    )
    assert "cautious limit" not in flag.explanation  # not a limit it did not wait for


def test_without_motion_sensors_the_daytime_ceiling_holds_too() -> None:
    # kasteren-a, with contact switches only, had shorter daytime quiet spells than CASAS.
    detector, _ = simulate(0)
    sensors = detector.config.sensors
    contacts = {k: replace(s, kind=DeviceKind.CONTACT) for k, s in sensors.items()}
    detector.config = replace(detector.config, sensors=contacts)
    one_pm = _still_from_one_pm(detector, START)
    assert flags(advance(detector, one_pm + DAY_CEILING)) == []
    [flag] = flags(advance(detector, one_pm + DAY_CEILING + timedelta(seconds=1)))
    assert flag.kind == "inactivity"


def test_after_a_few_days_the_homes_own_record_brings_the_ceiling_down() -> None:
    detector, _ = simulate(RECORD_DAYS + 1)
    one_pm = _still_from_one_pm(detector, START + (RECORD_DAYS + 1) * DAY)
    record, days = detector.model.record_s(one_pm, DAY_HOURS)
    assert days >= RECORD_DAYS
    ceiling = max(RECORD_FLOOR, RECORD_ROOM * timedelta(seconds=record))
    assert ceiling < DAY_CEILING
    assert detector.model.expect(one_pm, Place.LIVING).threshold_s > ceiling.total_seconds()
    assert flags(advance(detector, one_pm + ceiling)) == []
    [flag] = flags(advance(detector, one_pm + ceiling + timedelta(seconds=1)))
    assert f"she has not been this still in {days} days (her longest" in flag.explanation


def test_a_record_set_over_a_day_brings_the_ceiling_down_with_twice_the_room() -> None:
    detector, _ = simulate(1)
    one_pm = _still_from_one_pm(detector, START + DAY)
    record, days = detector.model.record_s(one_pm, DAY_HOURS)
    assert YOUNG_DAYS <= days < RECORD_DAYS
    ceiling = max(YOUNG_FLOOR, YOUNG_ROOM * RECORD_ROOM * timedelta(seconds=record))
    assert ceiling < DAY_CEILING
    assert flags(advance(detector, one_pm + ceiling)) == []
    [flag] = flags(advance(detector, one_pm + ceiling + timedelta(seconds=1)))
    assert f"she has not been this still in {days} days (her longest" in flag.explanation


def test_an_evening_silence_has_a_ceiling_of_its_own() -> None:
    detector, _ = simulate(0)  # a new home: the cautious prior allows far longer, no record
    seven_pm = _still_from_one_pm(detector, START + timedelta(hours=6))
    limit = detector.model.expect(seven_pm, Place.LIVING).threshold_s
    assert limit > EVENING_CEILING.total_seconds()
    assert flags(advance(detector, seven_pm + EVENING_CEILING)) == []
    [flag] = flags(advance(detector, seven_pm + EVENING_CEILING + timedelta(seconds=1)))
    assert flag.explanation.endswith(
        "In the evening, this long without any movement is worth a call whatever the habit."
    )


def test_once_up_three_hours_still_in_the_bedroom_are_a_call() -> None:
    detector, _ = simulate(2)
    nine = START + 2 * DAY + timedelta(hours=9)
    for device, minutes in (("kitchen-pir", -60), ("hall-pir", -2), ("bedroom-pir", 0)):
        now = nine + timedelta(minutes=minutes)  # up at 08:00, back to the bedroom at 09:00
        advance(detector, now)
        detector.observe(Observation(now, device, Signal.MOTION, 1.0, True))
    assert flags(advance(detector, nine + NAP_CEILING)) == []
    [flag] = flags(advance(detector, nine + NAP_CEILING + timedelta(seconds=1)))
    assert (flag.kind, flag.details["room"]) == ("inactivity", "bedroom")


def test_a_learned_limit_under_the_ceiling_is_explained_by_the_habit_alone() -> None:
    detector, _ = simulate(20)  # three weeks known: this afternoon's limit is about an hour
    one_pm = _still_from_one_pm(detector, START + 20 * DAY)
    [flag] = flags(advance(detector, one_pm + DAY_CEILING))
    assert flag.at - one_pm < timedelta(hours=2)
    assert "usually end within" in flag.explanation
    assert "whatever the habit" not in flag.explanation


def _visitors_until_one_pm(detector: HomeDetector, day: datetime) -> datetime:
    """Visitors in the bedroom and the living room until 13:00 (of `day`); the last movement."""
    last = two_rooms_at_once(detector, day + timedelta(hours=13, minutes=-8), "living-pir")
    assert detector.state.visitors_until == last + timedelta(minutes=30)  # the rules pause
    return last


def test_after_visitors_the_ceiling_counts_from_the_last_movement() -> None:
    detector, _ = simulate(0)  # a new home: the cautious prior allows far longer, no record
    last = _visitors_until_one_pm(detector, START)
    assert detector.model.expect(last, Place.LIVING).threshold_s > DAY_CEILING.total_seconds()
    assert flags(advance(detector, last + DAY_CEILING)) == []
    [flag] = flags(advance(detector, last + DAY_CEILING + timedelta(seconds=1)))
    assert flag.kind == "inactivity"


def test_after_visitors_the_learned_limit_counts_from_the_last_movement() -> None:
    detector, _ = simulate(20)  # three weeks known: this afternoon's limit is about an hour
    last = _visitors_until_one_pm(detector, START + 20 * DAY)
    limit = timedelta(seconds=expectation(detector.ctx).threshold_s)
    assert timedelta(minutes=30) < limit < DAY_CEILING
    assert flags(advance(detector, last + limit)) == []
    # not 30 min later, when the pause ended
    [flag] = flags(advance(detector, last + limit + timedelta(seconds=1)))
    assert flag.kind == "inactivity"

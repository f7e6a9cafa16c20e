"""Each flag fires on its simulator scenario, and a normal simulated month stays quiet."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from analytics.decision import Clear, Flag
from analytics.engine import HomeDetector
from analytics.health import Health
from analytics.home import Observation, Place
from devices.signals import Signal
from evaluation.replay import advance
from tests.analytics.simulated import START, flags, simulate, two_rooms_at_once

DAY = timedelta(days=1)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize("seed", [7, 11])
def test_a_normal_simulated_month_raises_nothing(seed: int) -> None:
    # START..+30 days crosses the spring DST change (29 March 2026, Europe/Paris).
    _, decisions = simulate(30, seed=seed)
    assert flags(decisions) == []


@pytest.mark.slow
def test_normal_simulated_months_stay_well_under_one_false_alert_a_month() -> None:
    # Two quiet seeds prove little: over twelve simulated residents, the learned limits meet
    # a rare long quiet spell now and then (4 in these 12 months when written; the goal is at
    # most one a month).
    kinds = ("inactivity", "not_up", "bathroom")
    alerts = [
        flag
        for seed in range(1, 13)
        for flag in flags(simulate(30, seed=seed)[1])
        if flag.kind in kinds
    ]
    assert len(alerts) <= 6
    assert all(flag.details["quiet_s"] >= 20 * 60 for flag in alerts)


def test_autumn_dst_change_raises_nothing() -> None:
    _, decisions = simulate(30, start=at("2026-10-05T00:00:00+02:00"))
    assert flags(decisions) == []


def test_fall_in_the_living_room_opens_inactivity_with_an_explanation() -> None:
    fall = at("2026-03-12T10:30:00+01:00")
    _, decisions = simulate(20, (f"fall@{fall.isoformat()}:living",))
    [flag] = flags(decisions)
    assert flag.kind == "inactivity"
    assert fall < flag.at < fall + timedelta(hours=6)
    assert flag.explanation.startswith("No movement since 10:")
    assert "living room" in flag.explanation
    assert flag.details["room"] == "living"


def test_staying_in_bed_opens_not_up_once() -> None:
    _, decisions = simulate(20, ("not_getting_up@2026-03-12T20:00:00+01:00",))
    [flag] = flags(decisions, "not_up")
    assert at("2026-03-13T08:00:00+01:00") < flag.at < at("2026-03-13T12:00:00+01:00")
    assert "Not up yet" in flag.explanation


def test_long_bathroom_stay_is_flagged() -> None:
    _, decisions = simulate(20, ("long_bathroom_stay@2026-03-12T09:00:00+01:00",))
    stay = [f for f in flags(decisions) if f.kind in ("bathroom", "inactivity")]
    assert stay
    assert all(f.details["room"] == "bathroom" for f in stay if f.kind == "inactivity")
    assert any(f.kind == "bathroom" and "In the bathroom since" in f.explanation for f in stay)


def test_leaving_at_night_opens_out_at_night_within_the_hour() -> None:
    left = at("2026-03-12T02:00:00+01:00")
    _, decisions = simulate(20, (f"night_wandering@{left.isoformat()}",))
    [flag] = flags(decisions)
    assert flag.kind == "out_at_night"
    assert flag.at - left < timedelta(hours=1)
    assert "unusual" in flag.explanation


def test_not_coming_home_opens_not_back() -> None:
    _, decisions = simulate(20, ("not_coming_home@2026-03-12T08:00:00+01:00",))
    [flag] = flags(decisions)
    assert flag.kind == "not_back"
    assert flag.severity == "info"


def test_heating_failure_opens_too_cold() -> None:
    _, decisions = simulate(15, ("heating_failure@2026-03-12T01:00:00+01:00",))
    kinds = {f.kind for f in flags(decisions)}
    assert "too_cold" in kinds


def test_declared_holiday_silences_the_absence() -> None:
    detector, _ = simulate(10)
    until = START + 20 * DAY
    detector.config = replace(detector.config, away_until=until)
    assert detector.state.last_at is not None
    assert flags(advance(detector, detector.state.last_at + 5 * DAY)) == []
    deadline = detector.next_deadline()
    assert deadline is None or deadline >= until


def test_panic_button_is_an_immediate_critical_flag() -> None:
    detector, _ = simulate(3)
    now = START + 3 * DAY + timedelta(hours=10)
    [flag] = detector.observe(Observation(now, "panic-button", Signal.PANIC, 1.0, True, "single"))
    assert isinstance(flag, Flag)
    assert (flag.kind, flag.severity, flag.at) == ("panic", "critical", now)
    assert "bedroom" in flag.explanation


def test_hot_home_is_flagged_after_half_an_hour_and_cleared_when_cool() -> None:
    detector, _ = simulate(3)
    t0 = START + 3 * DAY + timedelta(hours=14)
    detector.observe(Observation(t0, "living-temp", Signal.TEMPERATURE_C, 31.5, False))
    assert detector.next_deadline() is not None

    def hot(at: datetime) -> list[Flag]:  # (the simulated days end at midnight: not up)
        return [f for f in flags(detector.check(at)) if f.kind == "too_hot"]

    assert hot(t0 + timedelta(minutes=29)) == []
    assert len(hot(t0 + timedelta(minutes=30))) == 1
    later = t0 + timedelta(hours=2)
    [clear] = detector.observe(Observation(later, "living-temp", Signal.TEMPERATURE_C, 26.0, False))
    assert isinstance(clear, Clear)
    assert clear.kind == "too_hot"


def test_no_kitchen_by_breakfast_time_is_flagged_once_the_habit_is_known() -> None:
    detector, _ = simulate(14)
    day = START + 14 * DAY
    flagged: list[Flag] = []
    for minutes in range(7 * 60, 14 * 60, 10):  # moving in the living room, never the kitchen
        now = day + timedelta(minutes=minutes)
        flagged += flags(advance(detector, now))
        detector.observe(Observation(now, "living-pir", Signal.MOTION, 1.0, True))
    assert [f.kind for f in flagged] == ["no_meal"]
    assert "breakfast" in flagged[0].explanation


def test_lost_monitoring_is_worded_as_such_not_as_inactivity() -> None:
    detector, _ = simulate(3)
    assert detector.state.last_at is not None
    deadline = detector.next_deadline()
    assert deadline is not None
    lost = Health(lost=True, reason="the hub reports that it is offline")
    [flag] = flags(detector.check(deadline + timedelta(hours=16), lost))
    assert flag.kind == "monitoring_lost"
    assert "cannot hear the home" in flag.explanation


def test_one_silent_sensor_is_maintenance_and_low_battery_is_told_ahead() -> None:
    detector, _ = simulate(2)
    now = START + 2 * DAY
    health = Health(lost=False, silent_sensors=("hall-pir",), low_batteries=(("bed-mat", 9.0),))
    kinds = {f.kind: f for f in flags(detector.check_devices(now, health))}
    assert set(kinds) == {"maintenance", "low_battery"}
    assert "hall-pir" in kinds["maintenance"].explanation
    assert "9%" in kinds["low_battery"].explanation
    assert detector.check_devices(now, health) == []  # one message per episode
    cleared = detector.check_devices(now + DAY, Health(lost=False))
    assert {c.kind for c in cleared if isinstance(c, Clear)} == {"maintenance", "low_battery"}


def test_a_false_alarm_raises_that_slot_threshold_within_bounds() -> None:
    detector, _ = simulate(10)
    local = (START + 10 * DAY + timedelta(hours=15)).astimezone(detector.state.zone)
    model = detector.model
    before = model.expect(local, detector.state.place).threshold_s
    details = {"last_activity_at": local.isoformat()}
    for _ in range(10):
        detector.feedback("inactivity", "false_alarm", details)
    after = model.expect(local, detector.state.place).threshold_s
    assert after > before
    assert float(model.offset.max()) <= 3.0
    detector.feedback("inactivity", "needed_help", details)
    assert model.expect(local, detector.state.place).threshold_s == after


def test_detector_is_rebuilt_identically_from_a_saved_model() -> None:
    detector, _ = simulate(10)
    restored = HomeDetector(detector.config, detector.model.from_bytes(detector.model.to_bytes()))
    local = (START + 10 * DAY + timedelta(hours=9)).astimezone(detector.state.zone)
    for place in Place:
        assert restored.model.expect(local, place) == detector.model.expect(local, place)


def test_a_lone_fridge_open_and_close_after_hours_of_quiet_does_not_end_the_silence() -> None:
    detector, _ = simulate(10)
    day = START + 10 * DAY
    seen = day + timedelta(hours=9)
    detector.observe(Observation(seen, "living-pir", Signal.MOTION, 1.0, True))
    detector.observe(
        Observation(seen + timedelta(seconds=20), "living-pir", Signal.MOTION, 1.0, True)
    )
    last = detector.state.last_at
    stray = seen + timedelta(hours=3)
    advance(detector, stray)
    for value, delay in ((1.0, 0), (0.0, 3)):  # open, then closed 3 s later, then nothing
        now = stray + timedelta(seconds=delay)
        detector.observe(Observation(now, "fridge-door", Signal.CONTACT_OPEN, value, True))
    advance(detector, stray + timedelta(minutes=6))
    assert detector.state.last_at == last  # the silence still runs from the living room
    detector.observe(
        Observation(stray + timedelta(minutes=7), "fridge-door", Signal.CONTACT_OPEN, 1.0, True)
    )
    detector.observe(
        Observation(stray + timedelta(minutes=8), "kitchen-pir", Signal.MOTION, 1.0, True)
    )
    assert detector.state.place == Place.KITCHEN  # a second device confirms: she is up


def test_two_lone_movements_a_few_minutes_apart_are_sparse_activity_not_noise() -> None:
    detector, _ = simulate(10)
    first = START + 10 * DAY + timedelta(hours=9)  # hours after the last simulated event
    detector.observe(Observation(first, "living-pir", Signal.MOTION, 1.0, True))
    advance(detector, first + timedelta(minutes=6))
    assert detector.state.last_at != first  # alone, it was taken for noise
    second = first + timedelta(minutes=12)
    detector.observe(Observation(second, "living-pir", Signal.MOTION, 1.0, True))
    advance(detector, second + timedelta(minutes=6))
    assert detector.state.last_at == second
    assert detector.state.place == Place.LIVING


def _motion(detector: HomeDetector, device: str, when: datetime) -> None:
    signal = Signal.CONTACT_OPEN if device == "front-door" else Signal.MOTION
    detector.observe(Observation(when, device, signal, 1.0, True))


def test_a_sensor_flapping_alone_after_she_went_out_does_not_bring_her_home() -> None:
    detector, _ = simulate(10)
    left = START + 10 * DAY + timedelta(hours=10)
    _motion(detector, "hall-pir", left - timedelta(minutes=1))
    _motion(detector, "front-door", left)
    # The kitchen PIR fires every few minutes for two hours in the empty flat, then stops.
    raised: list[Flag] = []
    for minute in range(3, 120, 4):
        raised += flags(advance(detector, left + timedelta(minutes=minute)))
        _motion(detector, "kitchen-pir", left + timedelta(minutes=minute))
    raised += flags(advance(detector, left + timedelta(hours=10)))
    assert detector.state.out_since == left
    assert [f.kind for f in raised if f.kind in ("inactivity", "monitoring_lost")] == []
    [noisy] = [f for f in raised if f.kind == "noisy_sensor"]  # named once, for a look
    assert noisy.severity == "info"
    assert noisy.details["device_id"] == "kitchen-pir"
    assert "fired 10 times on its own since 10:00" in noisy.explanation
    back = left + timedelta(hours=10, minutes=1)
    _motion(detector, "front-door", back)
    cleared = detector.observe(Observation(back, "hall-pir", Signal.MOTION, 1.0, True))
    assert "noisy_sensor" in [d.kind for d in cleared if isinstance(d, Clear)]


def test_two_sensors_after_the_door_mean_she_stayed_in_and_is_watched() -> None:
    detector, _ = simulate(10)
    door = START + 10 * DAY + timedelta(hours=10)
    _motion(detector, "front-door", door)  # opened for the post, then back inside
    _motion(detector, "hall-pir", door + timedelta(minutes=1))
    _motion(detector, "living-pir", door + timedelta(minutes=2))
    raised = flags(advance(detector, door + timedelta(hours=12)))
    assert detector.state.out_since is None
    assert "inactivity" in [f.kind for f in raised]


def test_one_sensor_after_coming_home_is_enough() -> None:
    detector, _ = simulate(10)
    door = START + 10 * DAY + timedelta(hours=10)
    _motion(detector, "hall-pir", door - timedelta(minutes=1))
    _motion(detector, "front-door", door)
    advance(detector, door + timedelta(hours=2))
    assert detector.state.left_at() == door
    back = door + timedelta(hours=2)
    _motion(detector, "front-door", back)  # the door again after an absence: she came in
    _motion(detector, "living-pir", back + timedelta(minutes=1))
    _motion(detector, "front-door", back + timedelta(seconds=30))  # closed behind her
    raised = flags(advance(detector, back + timedelta(hours=12)))
    assert detector.state.out_since is None
    assert "inactivity" in [f.kind for f in raised]


@pytest.mark.parametrize(
    ("last", "back_through", "place"),
    [("front-door", "front-door", Place.ENTRANCE), ("living-pir", "hall-pir", Place.LIVING)],
)
def test_three_days_away_or_unseen_are_not_learned(
    last: str, back_through: str, place: Place
) -> None:
    """A trip is not an outing; three days without a sign at home are an unseen absence or a
    gap in the data, not a quiet spell to expect again."""
    detector, _ = simulate(10)
    seen = START + 10 * DAY + timedelta(hours=10)
    local = seen.astimezone(detector.state.zone)
    usual = detector.model.expect(local, place).threshold_s
    _motion(detector, "hall-pir", seen - timedelta(minutes=1))
    _motion(detector, last, seen)
    back = seen + 3 * DAY
    advance(detector, back)
    _motion(detector, back_through, back)
    _motion(detector, "living-pir", back + timedelta(seconds=20))
    assert (detector.state.out_since, detector.state.place) == (None, Place.LIVING)
    assert detector.model.expect(local, place).threshold_s == usual


def _away_with_the_kitchen_pir_flapping(detector: HomeDetector, left: datetime) -> None:
    """Out through the front door at `left`, back 4 h later; meanwhile the kitchen PIR fires
    every 4 minutes for 3 hours in the empty flat."""
    _motion(detector, "hall-pir", left - timedelta(minutes=1))
    _motion(detector, "front-door", left)
    for minute in range(3, 180, 4):
        advance(detector, left + timedelta(minutes=minute))
        _motion(detector, "kitchen-pir", left + timedelta(minutes=minute))
    back = left + timedelta(hours=4)
    advance(detector, back)
    _motion(detector, "front-door", back)
    _motion(detector, "hall-pir", back + timedelta(seconds=20))


def test_an_empty_homes_sensor_does_not_count_in_the_residents_day() -> None:
    detector, _ = simulate(10)
    left = START + 10 * DAY + timedelta(hours=10)
    _away_with_the_kitchen_pir_flapping(detector, left)
    day = detector.state.day
    assert day is not None
    assert day.day == left.date()  # the day began with this outing: nothing else seen
    assert (day.kitchen_visits, day.activity_events) == (0, 4)  # hall, door; door, hall
    assert day.hours_out == 4.0


def test_a_sensor_that_fires_in_the_empty_home_does_not_get_her_out_of_bed() -> None:
    detector, _ = simulate(10)
    day = START + 10 * DAY
    _away_with_the_kitchen_pir_flapping(detector, day + timedelta(hours=10))
    assert detector.model.fires_alone("kitchen-pir")
    assert not detector.model.fires_alone("hall-pir")
    restored = detector.model.from_bytes(detector.model.to_bytes())
    assert restored.fires_alone("kitchen-pir")  # remembered across restarts

    bed = day + timedelta(hours=23)
    for device, minutes in (("living-pir", -10), ("hall-pir", -1), ("bedroom-pir", 0)):
        _motion(detector, device, bed + timedelta(minutes=minutes))
    _motion(detector, "bed-mat", bed + timedelta(minutes=1))
    _motion(detector, "bedroom-pir", bed + timedelta(minutes=30))
    noise = day + timedelta(hours=26)
    for minutes in (0, 3):  # alone, and again: the same sensor never confirms itself
        advance(detector, noise + timedelta(minutes=minutes))
        _motion(detector, "kitchen-pir", noise + timedelta(minutes=minutes))
    advance(detector, noise + timedelta(minutes=10))
    assert (detector.state.place, detector.state.night_up) == (Place.BEDROOM, False)
    up = noise + timedelta(minutes=30)
    _motion(detector, "kitchen-pir", up)
    _motion(detector, "hall-pir", up + timedelta(minutes=1))  # a second sensor: she is up
    assert (detector.state.place, detector.state.night_up) == (Place.HALL, True)
    # Up for the day, in the bedroom at 15:00, then to the kitchen: she is believed at once.
    afternoon = day + timedelta(hours=39)
    for device, minutes in (("living-pir", -30), ("hall-pir", -1), ("bedroom-pir", 0)):
        _motion(detector, device, afternoon + timedelta(minutes=minutes))
    _motion(detector, "kitchen-pir", afternoon + timedelta(minutes=10))
    assert detector.state.place == Place.KITCHEN


def test_two_rooms_at_once_mean_visitors_unless_they_always_fire_together() -> None:
    detector, _ = simulate(10)
    first = START + 10 * DAY + timedelta(hours=15)
    two_rooms_at_once(detector, first)
    # visitors: the rules pause until 30 min after the last time both rooms fired
    assert detector.state.visitors_until == first + timedelta(minutes=38, seconds=1)

    for day in range(1, 4):  # the same two rooms together on 4 days: their sensors meet
        two_rooms_at_once(detector, first + day * DAY)
    assert not detector.model.overlap("bedroom", "living")
    assert detector.model.overlap("kitchen", "bedroom")
    assert detector.model.from_bytes(detector.model.to_bytes()).overlap("bedroom", "kitchen")
    later = first + 4 * DAY
    two_rooms_at_once(detector, later)
    assert detector.state.visitors_until is not None
    assert detector.state.visitors_until < later


def test_a_night_bathroom_trip_is_out_of_bed_and_back_not_the_mornings_first_visit() -> None:
    detector, _ = simulate(0)
    bed = START + timedelta(hours=22, minutes=30)

    def visit(device: str, hours: float, minutes: int = 3) -> list[tuple[str, float]]:
        return [(device, hours + m / 60) for m in range(minutes)]

    moves = [
        *visit("bedroom-pir", 0),  # to bed
        *visit("bathroom-pir", 0.9),  # 23:24, before midnight
        *visit("bedroom-pir", 1),
        *visit("bathroom-pir", 4),  # 02:30
        *visit("bedroom-pir", 4.1),
        *visit("living-pir", 5.5, 10),  # 04:00, up for a while: not a trip to the bathroom
        *visit("bedroom-pir", 6.5),
        *visit("bathroom-pir", 7.75),  # 06:15: up for the day
        *visit("kitchen-pir", 7.9, 10),
    ]
    for device, hours in moves:
        when = bed + timedelta(hours=hours)
        advance(detector, when)
        _motion(detector, device, when)
    night, morning = detector.days[-1], detector.state.day
    assert morning is not None
    # Each local day runs from 04:00: the night's two trips fall on the day it began.
    assert (night.day, night.night_bathroom_trips) == (START.date(), 2)
    assert (morning.day, morning.night_bathroom_trips) == (START.date() + DAY, 0)

"""Scenarios that change the resident's life: each one's signature and ground truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from devices.signals import Room, Signal
from simulators.layout import standard_layout
from tests.simulators.life import (
    Night,
    activity_after,
    is_activity,
    nights,
    simulate_cues,
    time_out,
)

START = datetime(2026, 3, 2, 6, tzinfo=UTC)  # Monday 07:00 in Paris


def test_fall_silences_the_resident_but_not_the_devices() -> None:
    events, sim = simulate_cues("fall@2026-03-02T12:20:00:bathroom", start=START)
    fall_at = datetime(2026, 3, 2, 11, 20, tzinfo=UTC)  # 12:20 in Paris, in the armchair
    assert [(t.scenario, t.began_at, t.room) for t in sim.truth] == [
        ("fall", fall_at, Room.BATHROOM)
    ]
    after = [e for e in events if e.at > fall_at]
    assert not [e for e in after if is_activity(e)]
    # The fall itself is the last thing a sensor sees: the bathroom PIR at the moment.
    last = max((e for e in events if is_activity(e)), key=lambda e: e.at)
    assert (last.device_id, last.at) == ("bathroom-pir", fall_at)
    # Liveness goes on for the whole window: battery and link quality from every device.
    reporting = {e.device_id for e in after if e.at > fall_at + timedelta(days=1)}
    assert reporting == {d.id for d in standard_layout("sc").devices}
    assert sim.truth[0].to_json().startswith('{"home":"sc","scenario":"fall"')


def test_fall_during_an_outing_happens_on_coming_home() -> None:
    events, sim = simulate_cues("fall@+4h", start=START, days=1)
    truth = sim.truth[0]
    assert truth.began_at > START + timedelta(hours=4)
    assert truth.room is Room.HALL
    assert not [e for e in events if e.at > truth.began_at and is_activity(e)]


def test_not_getting_up_leaves_the_bed_occupied_and_the_rest_of_the_flat_still() -> None:
    events, sim = simulate_cues("not_getting_up@2026-03-03T03:00", start=START)
    (truth,) = sim.truth
    assert truth.scenario == "not_getting_up"
    assert (
        datetime(2026, 3, 3, 4, tzinfo=UTC) < truth.began_at < datetime(2026, 3, 3, 9, tzinfo=UTC)
    )
    later = activity_after(events, truth.began_at)
    assert {e.device_id for e in later} <= {"bedroom-pir"}  # a turn in bed now and then
    bed = [e for e in events if e.device_id == "bed-mat" and Signal.OCCUPANCY in e.signals]
    assert bed[-1].signals[Signal.OCCUPANCY] == 1
    assert bed[-1].at < truth.began_at


def test_long_bathroom_stay_keeps_only_the_bathroom_busy_then_life_resumes() -> None:
    events, sim = simulate_cues("long_bathroom_stay@2026-03-02T15:00,for=3h", start=START)
    (truth,) = sim.truth
    ends = truth.began_at + timedelta(hours=3)
    assert truth.room is Room.BATHROOM
    during = [e for e in activity_after(events, truth.began_at) if e.at < ends]
    assert {e.device_id for e in during} == {"bathroom-pir"}
    assert len(during) < 12  # barely moving
    assert len({e.device_id for e in activity_after(events, ends)}) > 5


def test_night_wandering_opens_the_front_door_at_night_and_nobody_comes_back() -> None:
    events, sim = simulate_cues("night_wandering@2026-03-03T02:30", start=START)
    (truth,) = sim.truth
    door = [e for e in activity_after(events, truth.began_at) if e.device_id == "front-door"]
    assert len(door) == 1
    assert door[0].at - truth.began_at < timedelta(minutes=1)
    assert [e for e in activity_after(events, door[0].at) if e.device_id != "hall-pir"] == []


def test_not_coming_home_leaves_and_never_returns() -> None:
    events, sim = simulate_cues("not_coming_home@+1h", start=START)
    (truth,) = sim.truth
    left_at = datetime.fromisoformat(truth.detail["left_at"])
    assert left_at < truth.began_at  # truth begins when they would have been back
    assert not [e for e in activity_after(events, left_at + timedelta(minutes=1))]


def test_holiday_empties_the_flat_for_the_stay_then_life_resumes() -> None:
    events, sim = simulate_cues("holiday@+1d,for=3d", start=START, days=6)
    (truth,) = sim.truth
    back = datetime.fromisoformat(truth.detail["back_at"])
    away = [e for e in activity_after(events, truth.began_at + timedelta(minutes=2)) if e.at < back]
    assert away == []
    assert len(activity_after(events, back)) > 100
    assert time_out(events) > timedelta(days=3)


def test_slow_decline_rises_later_with_more_night_trips_and_fewer_kitchen_visits() -> None:
    events, sim = simulate_cues("slow_decline@+0s,weeks=4", start=START, days=56, seed=5)
    assert sim.truth[0].detail == {"weeks": 4.0}
    early = [n for n in nights(events) if n.wake_at < START + timedelta(days=14)]
    late = [n for n in nights(events) if n.wake_at > START + timedelta(days=35)]

    def mean_wake_h(ns: list[Night]) -> float:
        local = [n.wake_at.astimezone(ZoneInfo("Europe/Paris")) for n in ns]
        return sum(t.hour + t.minute / 60 for t in local) / len(local)

    assert mean_wake_h(late) - mean_wake_h(early) > 0.6
    assert sum(n.trips for n in late) / len(late) > 1.4 * sum(n.trips for n in early) / len(early)
    fridge = [e for e in events if e.device_id == "fridge-door" and is_activity(e)]
    first = sum(1 for e in fridge if e.at < START + timedelta(days=14))
    last = sum(1 for e in fridge if e.at > START + timedelta(days=42))
    assert last < 0.85 * first


def test_night_trips_up_doubles_the_night_bathroom_trips_for_a_while() -> None:
    events, sim = simulate_cues("night_trips_up@+14d,for=14d", start=START, days=42, seed=5)
    assert sim.truth[0].detail["times"] == 2.0
    onset, end = START + timedelta(days=14), START + timedelta(days=28)

    def trips_a_night(first: datetime, last: datetime) -> float:
        spells = [n for n in nights(events) if first <= n.wake_at < last]
        return sum(n.trips for n in spells) / len(spells)

    before, during = trips_a_night(START, onset), trips_a_night(onset, end)
    after = trips_a_night(end + timedelta(days=1), START + timedelta(days=42))
    assert during > 1.6 * before
    assert after < 0.7 * during

"""Sensors fire like real ones: PIR blind time and timeout, doors, mats and plugs."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

from devices.signals import Role, Room, Signal
from simulators.layout import standard_layout
from simulators.resident import ACTIVE_S, Activity
from simulators.sensors import PirSpec, SensorBank

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def _bank() -> SensorBank:
    return SensorBank(standard_layout("s"), random.Random(1), PirSpec(blind_s=60, timeout_s=90))


def test_pir_reports_after_each_blind_time_and_clears_after_the_timeout() -> None:
    bank = _bank()
    cooking = Activity("cook", T0, T0 + timedelta(minutes=20), Room.KITCHEN, ACTIVE_S)
    events = bank.render(cooking) + bank.flush(T0 + timedelta(hours=1))
    pir = [(e.at, e.signals[Signal.MOTION]) for e in events if e.device_id == "kitchen-pir"]
    assert pir[0] == (T0, 1)
    assert len(pir) > 10
    last_detection = T0
    for (before, _), (at, value) in itertools.pairwise(pir):
        if value == 1:  # never within the blind time of the previous detection
            assert at - last_detection >= timedelta(seconds=60)
            last_detection = at
        else:  # a clear comes exactly one timeout after the last detection, not before
            assert at == last_detection + timedelta(seconds=90)
            assert before <= at
    assert pir[-1][1] == 0


def test_leaving_opens_and_closes_the_front_door_and_coming_back_again() -> None:
    bank = _bank()
    out = Activity("out", T0, T0 + timedelta(hours=1), None, float("inf"), (Role.ENTRANCE,))
    door = [e for e in bank.render(out) if e.device_id == "front-door"]
    assert [e.signals[Signal.CONTACT_OPEN] for e in door] == [1, 0, 1, 0]
    assert door[2].at == T0 + timedelta(hours=1)


def test_armchair_sits_on_the_mat_and_turns_the_tv_on_then_off() -> None:
    bank = _bank()
    tv_time = Activity("tv", T0, T0 + timedelta(hours=2), Room.LIVING, 420.0, (Role.CHAIR, Role.TV))
    events = bank.render(tv_time)
    mat = [e.signals[Signal.OCCUPANCY] for e in events if e.device_id == "chair-mat"]
    tv = [e.signals[Signal.POWER_W] for e in events if e.device_id == "tv-plug"]
    assert mat == [1, 0]
    assert tv[0] >= 70
    assert tv[1] < 1


def test_an_activity_cut_short_starts_nothing_after_it_ends() -> None:
    bank = _bank()
    cut = Activity(
        "breakfast", T0, T0 + timedelta(seconds=30), Room.KITCHEN, ACTIVE_S, (Role.KETTLE,)
    )
    kettle = [e for e in bank.render(cut) if e.device_id == "kettle-plug"]
    assert all(e.signals[Signal.POWER_W] == 0 or e.at <= cut.end for e in kettle)

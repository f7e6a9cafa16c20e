"""What counts as activity: each trap of ../shared/ECOSYSTEM.md has a test here."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from devices.activity import ActivityTracker
from devices.signals import Reading, Signal

DEVICE = ("h1", "d1")


def decide_all(values: Sequence[tuple[Signal, float]], retained: bool = False) -> list[bool]:
    tracker = ActivityTracker()
    return [tracker.decide(DEVICE, Reading(s, v), retained) for s, v in values]


def test_motion_counts_only_on_its_rising_edge() -> None:
    values = [(Signal.MOTION, v) for v in (1, 1, 0, 1)]
    assert decide_all(values) == [True, False, False, True]


def test_synthetic_occupancy_false_is_not_activity() -> None:
    # Zigbee2MQTT publishes occupancy:false by itself after occupancy_timeout.
    assert decide_all([(Signal.MOTION, 1), (Signal.MOTION, 0)])[1] is False


def test_cached_repeat_of_motion_in_a_battery_report_is_not_activity() -> None:
    # cache_state: a battery report repeats occupancy:true from the cache.
    assert decide_all([(Signal.MOTION, 1), (Signal.BATTERY_PCT, 90), (Signal.MOTION, 1)]) == [
        True,
        False,
        False,
    ]


def test_retained_replay_does_not_count_as_activity_but_updates_state() -> None:
    tracker = ActivityTracker()
    assert tracker.decide(DEVICE, Reading(Signal.MOTION, 1), retained=True) is False
    # The replay taught the state: a live repeat of motion 1 is not a new edge either.
    assert tracker.decide(DEVICE, Reading(Signal.MOTION, 1), retained=False) is False
    assert tracker.decide(DEVICE, Reading(Signal.BUTTON, 1), retained=True) is False


def test_contact_counts_on_any_change_opening_and_closing() -> None:
    values = [(Signal.CONTACT_OPEN, v) for v in (1, 0, 0, 1)]
    assert decide_all(values) == [True, True, False, True]


def test_getting_out_of_bed_counts_as_well_as_getting_in() -> None:
    values = [(Signal.OCCUPANCY, v) for v in (1, 0)]
    assert decide_all(values) == [True, True]


def test_every_button_press_and_panic_counts() -> None:
    assert decide_all([(Signal.BUTTON, 1), (Signal.BUTTON, 1), (Signal.PANIC, 1)]) == [
        True,
        True,
        True,
    ]


def test_power_counts_when_it_crosses_the_threshold_upwards() -> None:
    values = [(Signal.POWER_W, v) for v in (2, 1800, 1900, 3, 25)]
    assert decide_all(values) == [False, True, False, False, True]


@pytest.mark.parametrize(
    "signal",
    [
        Signal.BATTERY_PCT,
        Signal.LINK_QUALITY,
        Signal.TEMPERATURE_C,
        Signal.HUMIDITY_PCT,
        Signal.AVAILABLE,
        Signal.ENERGY_KWH,
        Signal.WATER_LEAK,
    ],
)
def test_liveness_and_environment_signals_are_never_activity(signal: Signal) -> None:
    assert decide_all([(signal, 1), (signal, 0), (signal, 1)]) == [False, False, False]


def test_state_restored_after_restart_prevents_a_false_edge() -> None:
    tracker = ActivityTracker(last={("h1", "d1", Signal.MOTION): 1.0})
    assert tracker.decide(DEVICE, Reading(Signal.MOTION, 1), retained=False) is False

"""Scenarios that change what devices say: each one's signature and ground truth."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

from devices.signals import Signal
from simulators.device_scenarios import GARBAGE
from simulators.event import Event
from simulators.wire import HUB
from tests.simulators.life import activity_after, simulate_cues

START = datetime(2026, 3, 2, 6, tzinfo=UTC)
CUE_AT = START + timedelta(hours=2)


def _of(events: list[Event], device: str, signal: Signal) -> list[tuple[datetime, float]]:
    return [
        (e.at, e.signals[signal]) for e in events if e.device_id == device and signal in e.signals
    ]


def test_heating_failure_cools_the_home_towards_outdoors() -> None:
    events, sim = simulate_cues("heating_failure@+2h,outdoor_c=4,tau_h=6", start=START)
    assert sim.truth[0].began_at == CUE_AT
    temps = _of(events, "living-temp", Signal.TEMPERATURE_C)
    before = [t for at, t in temps if at < CUE_AT]
    after_a_day = [t for at, t in temps if at > CUE_AT + timedelta(hours=24)]
    assert min(before) > 18.5
    assert max(after_a_day) < 6
    cooling = [t for at, t in temps if at >= CUE_AT]
    assert all(b <= a + 0.5 for a, b in itertools.pairwise(cooling))  # noise, never warming


def test_battery_dying_runs_down_then_the_device_falls_silent() -> None:
    events, sim = simulate_cues("battery_dying@+2h,device=hall-pir,for=20h", start=START)
    dead_at = CUE_AT + timedelta(hours=20)
    assert sim.truth[0].detail == {"device": "hall-pir", "dead_at": dead_at.isoformat()}
    battery = [pct for at, pct in _of(events, "hall-pir", Signal.BATTERY_PCT) if at >= CUE_AT]
    assert battery == sorted(battery, reverse=True)
    assert battery[-1] <= 5
    assert not [e for e in events if e.device_id == "hall-pir" and e.at >= dead_at]
    assert len(activity_after(events, dead_at)) > 50  # the resident goes on as usual


def test_device_offline_goes_silent_and_the_bridge_says_so_after_its_timeout() -> None:
    events, sim = simulate_cues("device_offline@+2h,device=kettle-plug,for=3h", start=START)
    back = CUE_AT + timedelta(hours=3)
    assert sim.truth[0].detail == {"device": "kettle-plug", "back_at": back.isoformat()}
    kettle = [e for e in events if e.device_id == "kettle-plug" and CUE_AT <= e.at < back]
    assert [(e.at, e.signals) for e in kettle] == [
        (CUE_AT + timedelta(minutes=10), {Signal.AVAILABLE: 0.0}),  # a mains device: 10 min
    ]
    assert (back, {Signal.AVAILABLE: 1.0}) in [(e.at, e.signals) for e in events]
    assert [e for e in events if e.device_id == "kettle-plug" and e.at > back]


def test_battery_device_offline_is_announced_only_after_25_hours() -> None:
    events, _ = simulate_cues("device_offline@+2h,device=kitchen-pir", start=START, days=3)
    after = [e for e in events if e.device_id == "kitchen-pir" and e.at >= CUE_AT]
    assert [(e.at, e.signals) for e in after] == [
        (CUE_AT + timedelta(hours=25), {Signal.AVAILABLE: 0.0})
    ]


def test_hub_offline_silences_the_whole_home_between_two_availability_notes() -> None:
    events, sim = simulate_cues("hub_offline@+2h,for=90m", start=START)
    back = CUE_AT + timedelta(minutes=90)
    window = [e for e in events if CUE_AT <= e.at <= back]
    assert [(e.device_id, e.at, e.signals[Signal.AVAILABLE]) for e in window] == [
        (HUB, CUE_AT, 0.0),
        (HUB, back, 1.0),
    ]
    assert sim.truth[0].scenario == "hub_offline"


def test_network_flapping_delivers_every_report_late_but_none_lost() -> None:
    cue = "network_flapping@+2h,for=1h,period=10m"
    events, _ = simulate_cues(cue, start=START)
    baseline, _ = simulate_cues(start=START)
    made = Counter((e.device_id, e.device_at or e.at) for e in events if e.device_id != HUB)
    assert made == Counter((e.device_id, e.at) for e in baseline)
    late = [e for e in events if e.device_at is not None]
    assert late
    assert all(timedelta(0) < e.at - e.stamped_at <= timedelta(minutes=5) for e in late)
    for k in range(6):  # nothing goes out in the second half of each period
        down = CUE_AT + timedelta(minutes=10 * k + 5)
        assert not [e for e in events if down < e.at < down + timedelta(minutes=5)]
    hub = [e.signals[Signal.AVAILABLE] for e in events if e.device_id == HUB]
    assert hub == [0.0, 1.0] * 6


def test_clock_late_stamps_one_device_minutes_behind() -> None:
    events, _ = simulate_cues("clock_late@+2h,device=living-pir,by=7m", start=START)
    pir = [e for e in events if e.device_id == "living-pir" and e.at >= CUE_AT]
    assert pir
    assert all(e.stamped_at == e.at - timedelta(minutes=7) for e in pir)
    assert all(e.device_at is None for e in events if e.device_id != "living-pir")


def test_garbage_sends_raw_payloads_on_real_device_topics_within_the_window() -> None:
    events, sim = simulate_cues("garbage@+2h,count=24,for=1h", start=START)
    raw = [e for e in events if e.raw is not None]
    assert len(raw) == 24
    assert Counter(e.raw for e in raw) == Counter(GARBAGE * 2)
    assert all(CUE_AT <= e.at < CUE_AT + timedelta(hours=1) for e in raw)
    assert sim.truth[0].detail == {"count": 24}


def test_panic_press_is_one_critical_press_on_the_panic_button() -> None:
    events, sim = simulate_cues("panic_press@+2h", start=START)
    presses = [e for e in events if Signal.PANIC in e.signals]
    assert [(e.device_id, e.at, e.detail) for e in presses] == [("panic-button", CUE_AT, "single")]
    assert sim.truth[0].expect == "critical alert at once"

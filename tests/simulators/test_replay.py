"""Real homes replayed as events, over the real broker, time-warped."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest

from devices import native
from devices.datasets import HOMES, load_home
from devices.signals import Signal
from simulators.replay import replay_events, replay_layout
from simulators.runner import SimOptions, run_simulation
from simulators.wire import Topics
from tests.simulators.conftest import Subscriber
from veille.mosquitto import Mosquitto

START = datetime(2026, 3, 2, tzinfo=UTC)


def test_replay_keeps_local_time_of_day_and_sends_state_changes_only() -> None:
    records, sensor_map = load_home("kasteren-a")
    layout = replay_layout(sensor_map, "rk")
    first_day = START.date()
    events = list(replay_events(records, layout, first_day))
    changes = sum(
        1
        for a, b in zip([None, *records], records, strict=False)
        if a is None or (a.sensor, a.value) != (b.sensor, b.value)
    )
    assert 0 < len(events) <= changes
    assert all(a.at <= b.at for a, b in itertools.pairwise(events))
    first = events[0].at.astimezone(layout.zone)
    assert (first.date(), first.hour, first.minute) == (first_day, 0, 20)  # 25-Feb-2008 00:20:14
    door = [e for e in events if e.device_id == "12"]
    assert door
    assert all(set(e.signals) == {Signal.CONTACT_OPEN} for e in door)


@pytest.mark.parametrize("home", sorted(HOMES))
def test_a_day_of_each_real_home_goes_over_the_broker(
    home: str, private_mosquitto: Mosquitto, flat_prefix: str, burst_subscriber: Subscriber
) -> None:
    options = SimOptions(
        home_id=f"replay-{home}",
        replay=home,
        start=START,
        days=1,
        speed=None,
        topics=Topics(prefix=flat_prefix),
        client_id=f"{flat_prefix}-sim",
    )
    stats = run_simulation(options, private_mosquitto.url)
    assert stats.events > 20
    burst_subscriber.wait_for(lambda: len(burst_subscriber.messages) == stats.messages)
    _, sensor_map = load_home(home)
    devices = {
        native.decode(flat_prefix, t, p).device_id for _, t, p, _ in burst_subscriber.messages
    }
    assert devices <= set(sensor_map.sensors)


def test_replay_is_paced_by_the_warped_clock(
    private_mosquitto: Mosquitto, flat_prefix: str, burst_subscriber: Subscriber
) -> None:
    speed = 3600.0
    began = time.monotonic()
    options = SimOptions(
        home_id="replay-warp",
        replay="casas-al-smarthome",
        start=START + timedelta(hours=16),  # 08:00 in Washington state: a busy morning
        history_days=1,
        days=0.5 / 24,
        speed=speed,
        topics=Topics(prefix=flat_prefix),
        client_id=f"{flat_prefix}-sim",
    )
    stats = run_simulation(options, private_mosquitto.url)
    assert stats.last_at is not None
    live_s = (stats.last_at - (START + timedelta(hours=16))).total_seconds() / speed
    assert live_s > 0.1
    assert time.monotonic() - began >= live_s - 0.05
    burst_subscriber.wait_for(lambda: len(burst_subscriber.messages) == stats.messages)

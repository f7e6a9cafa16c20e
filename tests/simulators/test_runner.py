"""The simulator publishes over the real broker, paced by its clock, and writes ground truth."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from devices import native
from simulators.runner import SimOptions, Stats, run_simulation
from simulators.wire import Topics
from tests.simulators.conftest import Subscriber
from veille.mosquitto import Mosquitto

START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_fast_run_publishes_every_event_in_native_format(
    mqtt_url: str, flat_prefix: str, subscriber: Subscriber, tmp_path: Path
) -> None:
    truth_file = tmp_path / "truth.jsonl"
    options = SimOptions(
        home_id="fast",
        start=START,
        days=1,
        speed=None,
        cues=("fall@+6h",),
        ground_truth=truth_file,
        topics=Topics(prefix=flat_prefix),
        client_id=f"{flat_prefix}-sim",
    )
    stats = run_simulation(options, mqtt_url)
    assert stats.events > 200
    subscriber.wait_for(lambda: len(subscriber.messages) == stats.messages)
    for _, topic, payload, _ in subscriber.messages:
        message = native.decode(flat_prefix, topic, payload)
        assert message.home_id == "fast"
        assert all(START <= r.at < START + timedelta(days=1) for r in message.readings if r.at)
    truth = [json.loads(line) for line in truth_file.read_text().splitlines()]
    assert [t["scenario"] for t in truth] == ["fall"]
    assert truth == [json.loads(t.to_json()) for t in stats.truth]


def test_history_goes_out_at_once_then_live_time_is_warped(
    private_mosquitto: Mosquitto, flat_prefix: str, burst_subscriber: Subscriber
) -> None:
    speed = 3600.0  # an hour a second: 0.2 simulated hours take 0.2 s
    began = time.monotonic()
    options = SimOptions(
        home_id="warp",
        start=START,
        days=0.2 / 24 * 3,
        history_days=1,
        speed=speed,
        topics=Topics(prefix=flat_prefix),
        client_id=f"{flat_prefix}-sim",
    )
    stats = run_simulation(options, private_mosquitto.url)
    elapsed = time.monotonic() - began
    assert stats.first_at is not None
    assert stats.last_at is not None
    assert stats.first_at < START - timedelta(hours=23)
    live_s = (stats.last_at - START).total_seconds() / speed
    assert live_s > 0.3
    assert live_s - 0.05 < elapsed < live_s + 5  # a day of history took next to nothing
    burst_subscriber.wait_for(lambda: len(burst_subscriber.messages) == stats.messages)
    # Each live event arrived no earlier than its simulated time maps to on the wall clock.
    for received, topic, payload, _ in burst_subscriber.messages:
        at = native.decode(flat_prefix, topic, payload).readings[0].at
        assert at is not None
        if at > START:
            assert received - began >= (at - START).total_seconds() / speed - 0.05


def test_many_homes_have_residents_of_their_own_and_cues_on_the_first_few(
    tmp_path: Path,
) -> None:
    options = SimOptions(
        home_id="city",
        homes=40,
        start=START,
        days=1,
        speed=None,
        cues=("fall@+3h",),
        cue_homes=3,
        out=tmp_path / "city.jsonl",
    )
    stats = run_simulation(options, "mqtt://unused")
    assert [t.home_id for t in sorted(stats.truth, key=lambda t: t.home_id)] == [
        "city-00001",
        "city-00002",
        "city-00003",
    ]
    lines = [json.loads(line) for line in (tmp_path / "city.jsonl").read_text().splitlines()]
    per_home: dict[str, int] = {}
    for line in lines:
        if "home" in line:
            per_home[line["home"]] = per_home.get(line["home"], 0) + 1
    assert len(per_home) == 40
    assert len(set(per_home.values())) > 30  # different lives, different event counts


@pytest.mark.slow
def test_ten_thousand_homes_run_in_one_process_faster_than_real_life(tmp_path: Path) -> None:
    options = SimOptions(
        home_id="load",
        homes=10_000,
        start=START,
        days=0.25 / 24,
        speed=None,
        out=tmp_path / "load.jsonl",
    )
    stats = run_simulation(options, "mqtt://unused")
    # Real life: ~750 reports per home and day, about 90 events/s for 10,000 homes.
    realistic_per_s = 10_000 * 750 / 86_400
    assert stats.homes == 10_000
    assert stats.events > 10_000 * 0.25 * 750 / 24 * 0.5
    assert stats.events_per_s > 3 * realistic_per_s
    assert stats.peak_rss_mb < 1000


@pytest.mark.slow
def test_publishing_survives_a_broker_restart_without_losing_a_report(
    private_mosquitto: Mosquitto, flat_prefix: str
) -> None:
    # A persistent session: the broker keeps what arrives while the subscriber reconnects.
    sub = Subscriber(private_mosquitto.url, f"{flat_prefix}/#", f"{flat_prefix}-sub", False)
    options = SimOptions(
        home_id="restart",
        start=START,
        days=1,
        speed=86_400 / 4,  # a day in four seconds
        topics=Topics(prefix=flat_prefix),
        client_id=f"{flat_prefix}-sim",
    )
    result: dict[str, Stats] = {}
    runner = threading.Thread(
        target=lambda: result.update(stats=run_simulation(options, private_mosquitto.url))
    )
    runner.start()
    try:
        sub.wait_for(lambda: len(sub.messages) > 100)
        private_mosquitto.stop()
        private_mosquitto.start()
        assert runner.is_alive()  # the restart happened in the middle of the day
    finally:
        runner.join(60)
    stats = result["stats"]
    assert stats.events > 500

    def distinct() -> int:  # a resent message may arrive twice
        return len({(topic, payload) for _, topic, payload, _ in sub.messages})

    sub.wait_for(lambda: distinct() == stats.messages, timeout_s=30)
    sub.close()

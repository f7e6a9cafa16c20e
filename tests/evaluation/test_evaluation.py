"""The evaluation harness on a real home: deterministic injections, every detector scored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from analytics.home import HomeConfig, Observation, Place
from devices.datasets import DEFAULT_DATA_ROOT, load_home
from devices.signals import Signal
from evaluation.baselines import FixedTimer, SlotMaxLearner
from evaluation.hindsight import MARGIN_S, Yardstick, delays, longest_min, spend
from evaluation.injection import plan
from evaluation.replay import home_config, observations
from evaluation.report import at_equal_false_alerts, summarise
from evaluation.scoring import (
    DETECTORS,
    HINDSIGHT,
    LADDER,
    Outcome,
    evaluate_home,
    spend_allowance,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def motion(at: datetime) -> Observation:
    return Observation(at, "m", Signal.MOTION, 1.0, True)


@pytest.fixture(scope="module")
def kasteren_a() -> tuple[HomeConfig, list[Observation]]:
    if not (DEFAULT_DATA_ROOT / "kasteren").exists():
        pytest.fail(f"shared data missing at {DEFAULT_DATA_ROOT}")
    records, sensor_map = load_home("kasteren-a")
    config = home_config(sensor_map)
    return config, list(observations(records, config))


def test_day_timer_waits_for_daytime() -> None:
    timer = FixedTimer(timedelta(hours=4), ZoneInfo("UTC"), (8, 22))
    timer.observe(motion(T0.replace(hour=20)))
    assert timer.next_deadline() == T0.replace(hour=8) + timedelta(days=1)


def test_slot_learner_alerts_past_the_longest_silence_seen() -> None:
    learner = SlotMaxLearner(ZoneInfo("UTC"))
    learner.observe(motion(T0))
    learner.observe(motion(T0 + timedelta(hours=1)))
    learner.observe(motion(T0 + timedelta(hours=1, minutes=1)))
    assert learner.next_deadline() == T0 + timedelta(hours=1, minutes=1) + timedelta(hours=1.2)


def test_injections_are_deterministic_and_in_home(
    kasteren_a: tuple[HomeConfig, list[Observation]],
) -> None:
    config, stream = kasteren_a
    first = plan(stream, config, 20, 20)
    assert first == plan(stream, config, 20, 20)
    days = [i for i in first if i.kind == "day"]
    assert len(days) == 20
    zone = config.zone
    assert all(8 <= i.at.astimezone(zone).hour < 20 for i in days)


def test_every_detector_is_scored_on_the_same_injections(
    kasteren_a: tuple[HomeConfig, list[Observation]],
) -> None:
    config, stream = kasteren_a
    results = evaluate_home(config, stream, day=10, night=5)
    assert set(results) == {*DETECTORS, *LADDER, HINDSIGHT}
    counts = {len(r.day_delays_s) for r in results.values()}
    assert counts == {10}
    # Knowing each place's longest quiet spell in advance is slower than Veille only where
    # Veille called before the home's longest, which cost it a false alert in this log.
    bound, veille_delays = results[HINDSIGHT].day_delays_s, results["veille"].day_delays_s
    both = [(b, v) for b, v in zip(bound, veille_delays, strict=True) if v is not None]
    assert both
    assert all(b is not None for b, _ in both)
    slower = sum(b is not None and b > v + 60 for b, v in both)
    assert slower <= results["veille"].false_alerts
    assert results[HINDSIGHT].false_alerts == 0
    # A more sensitive Veille calls as soon or sooner, on the same injections.
    sharp = results["veille_x64"].day_delays_s
    pairs = [(s, v) for s, v in zip(sharp, veille_delays, strict=True) if v is not None]
    assert all(s is not None and s <= v for s, v in pairs)
    assert sum(s is not None and s < v for s, v in pairs) >= len(pairs) // 2
    timer = summarise([results["timer_12h"]])
    assert timer["recall"] == 1.0
    assert timer["delay_min_p50"] is not None
    assert isinstance(timer["delay_min_p50"], float)
    assert 600 <= timer["delay_min_p50"] <= 720
    assert summarise([results["veille"]])["home_months"] == pytest.approx(0.82, abs=0.05)
    veille = results["veille"]
    assert len(veille.false_alert_log) == veille.false_alerts  # each one listed, to read causes
    assert all(entry["at"].startswith("20") and entry["kind"] for entry in veille.false_alert_log)


def test_each_baseline_meets_the_most_sensitive_veille_with_no_more_false_alerts() -> None:
    def row(false: float | None, p50: float) -> dict[str, float | int | None]:
        return {
            "false_alerts_per_home_month": false,
            "recall": 0.9,
            "delay_min_p50": p50,
            "delay_min_p90": 2 * p50,
        }

    summary = {
        "veille": row(0.5, 190),
        "veille_x2": row(2.0, 160),
        "veille_x4": row(4.5, 140),
        "veille_x8": row(4.0, 120),  # not monotonic: the figures decide, not the order
        "timer": row(4.2, 700),
        "strict": row(0.2, 900),
    }
    matched = at_equal_false_alerts(
        summary, ["timer", "strict"], ["veille_x2", "veille_x4", "veille_x8"]
    )
    assert matched["timer"].setting == "veille_x8"
    assert matched["timer"].veille == summary["veille_x8"]
    assert matched["timer"].baseline == summary["timer"]
    # nothing raises as few false alerts as this baseline: Veille as shipped is shown
    assert matched["strict"].setting == "veille"


def test_the_allowance_gives_up_the_spells_that_save_the_most_daytime_delay() -> None:
    living, bedroom = (Place.LIVING, 3), (Place.BEDROOM, 2)
    home = Yardstick(
        spells={living: [7200.0, 1800.0], bedroom: [14400.0, 3600.0, 600.0]},
        starts=[
            ("day", living, 0.0),
            ("day", bedroom, 600.0),
            ("day", bedroom, 0.0),
            ("night", bedroom, 0.0),  # night delays count for nothing in the choice
            ("lie_in", bedroom, 0.0),  # nor do lie-ins'
            ("day", None, 0.0),  # held out: no stillness rule applies, missed
        ],
    )
    assert delays(home) == [7200 + MARGIN_S, 13800 + MARGIN_S, *[14400 + MARGIN_S] * 3, None]
    # The bedroom's 4 h spell costs one false alert and saves 2 x 3 h; the living room's 1.5 h.
    assert spend([home], 1) == [{bedroom: 1}]
    assert spend([home], 2) == [{bedroom: 2}]  # 3000 s saved twice beats 5400 s once
    assert spend([home], 3) == [{bedroom: 2, living: 1}]
    assert spend([home], 0) == [{}]
    assert delays(home, {bedroom: 1})[1:3] == [3000 + MARGIN_S, 3600 + MARGIN_S]
    # The allowance is one per home-month, spent over the homes together.
    quiet = Yardstick(spells={living: [600.0]}, starts=[("day", living, 0.0)])
    outcomes = [Outcome(months=1.5, yardsticks=[home]), Outcome(months=0.7, yardsticks=[quiet])]
    first, second = spend_allowance(outcomes)
    assert (first.false_alerts, second.false_alerts) == (2, 0)
    assert first.day_delays_s == [7200 + MARGIN_S, 600 + MARGIN_S - 600, 600 + MARGIN_S, None]
    assert first.night_delays_s == first.lie_in_delays_s == [600 + MARGIN_S]
    assert second.day_delays_s == [600 + MARGIN_S]


def test_the_longest_quiet_spells_leave_absences_out() -> None:
    home = Yardstick(
        spells={
            (Place.LIVING, 4): [9000.0, 60.0],
            (Place.KITCHEN, 4): [9300.0],
            (Place.ENTRANCE, 4): [30000.0],  # out: not a quiet spell at home
            (Place.BEDROOM, 0): [25000.0],
        }
    )
    other = Yardstick(spells={(Place.KITCHEN, 4): [3000.0], (Place.BATHROOM, 6): [1200.0]})
    assert longest_min([home, other], bedroom=False) == [None] * 4 + [155, None, 20, None]
    assert longest_min([home, other], bedroom=True) == [417] + [None] * 7

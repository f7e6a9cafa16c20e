"""How soon the slow-change scorer tells a simulated decline, and how often it tells a change
that is not there (`veille eval-decline`).

Each seed plays `ONSET_DAY` days of the simulated resident's usual routine, then the
simulator's `slow_decline` over `weeks` (rising up to an hour later, twice the night trips,
fewer kitchen visits and outings), through the real detector. The scorer is asked each day, to
date its first finding pointing the way of the decline; Sunday's digest reports it on the
first Sunday it holds. Normal homes play `NORMAL_DAYS` with one summary a week once four weeks
are known (as `veille eval` scores the real homes): any finding there is a false one, and so
is any stillness alert they raise (counted per home-month, as `veille eval` counts them).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from analytics import trend
from analytics.daily import DayStats
from analytics.decision import INACTIVITY_KINDS, Flag
from analytics.evaluation import MIN_TREND_DAYS, MONTH
from analytics.simulated import START, simulate

ONSET_DAY = 28  # four weeks of the usual routine first: the scorer's baseline
AFTER_DECLINE_DAYS = 21  # watched this long after the decline has run its course
NORMAL_DAYS = 84
MONTH_DAYS = MONTH / timedelta(days=1)
SUNDAY = 6
# The way each feature moves in the simulated decline.
DECLINE_SIGN = {
    "wake_h": 1.0,
    "night_bathroom_trips": 1.0,
    "kitchen_visits": -1.0,
    "hours_out": -1.0,
    "activity_events": -1.0,
}


@dataclass(frozen=True, slots=True)
class Declined:
    seed: int
    first_day: int | None  # days after onset the scorer first found the decline
    first_sunday: int | None  # days after onset the first Sunday digest reported it
    feature: str | None


def _declining(days: Sequence[DayStats]) -> str | None:
    for finding in trend.score(days):
        sign = DECLINE_SIGN.get(finding.feature, 0.0)
        if sign * (finding.recent - finding.baseline) > 0:
            return finding.feature
    return None


def first_findings(days: Sequence[DayStats], onset: int, seed: int = 0) -> Declined:
    """When, after the `onset`-th day, the scorer first finds the decline."""
    first_day = first_sunday = None
    feature = None
    for after in range(1, len(days) - onset + 1):
        found = _declining(days[: onset + after])
        if found is None:
            continue
        if first_day is None:
            first_day, feature = after, found
        # days[:n] ends with the day before day n: the digest of day n's morning has them.
        if (START + timedelta(days=onset + after)).weekday() == SUNDAY:
            first_sunday = after
            break
    return Declined(seed, first_day, first_sunday, feature)


def decline(weeks: float, seed: int) -> Declined:
    onset = (START + timedelta(days=ONSET_DAY)).isoformat()
    total = ONSET_DAY + 7 * weeks + AFTER_DECLINE_DAYS
    detector, _ = simulate(total, (f"slow_decline@{onset},weeks={weeks:g}",), seed=seed)
    return first_findings(detector.days, ONSET_DAY, seed)


@dataclass(frozen=True, slots=True)
class Normal:
    """A normal simulated home: nothing it raises is true."""

    with_finding: int  # weekly summaries that report a change
    summaries: int
    alerts: int  # stillness alerts (`INACTIVITY_KINDS`)


def normal_home(seed: int) -> Normal:
    detector, decisions = simulate(NORMAL_DAYS, seed=seed)
    ends = range(MIN_TREND_DAYS, len(detector.days) + 1, 7)
    with_finding = sum(bool(trend.score(detector.days[:end])) for end in ends)
    alerts = sum(isinstance(d, Flag) and d.kind in INACTIVITY_KINDS for d in decisions)
    return Normal(with_finding, len(ends), alerts)


# -- veille eval-decline ---------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=int, default=5, help="simulated residents per case")
    parser.add_argument(
        "--weeks", type=float, nargs="+", default=[2.0, 4.0], help="how long each decline takes"
    )


def _days(value: int | None) -> str:
    return "-" if value is None else str(value)


def run(args: argparse.Namespace) -> int:
    seeds = range(1, args.seeds + 1)
    result: dict[str, object] = {}
    for weeks in args.weeks:
        found = [decline(weeks, seed) for seed in seeds]
        print(
            f"slow_decline over {weeks:g} weeks (days after onset; '-': not within"
            f" {7 * weeks + AFTER_DECLINE_DAYS:g})"
        )
        print("seed  scorer  Sunday digest  feature")
        for d in found:
            print(f"{d.seed:>4}  {_days(d.first_day):>6}  {_days(d.first_sunday):>13}  {d.feature}")
        firsts = [d.first_day for d in found if d.first_day is not None]
        result[f"weeks_{weeks:g}"] = {
            "first_day": [d.first_day for d in found],
            "first_sunday": [d.first_sunday for d in found],
            "within_10_days": sum(day <= 10 for day in firsts) / len(found),
            "first_day_p50": float(statistics.median(firsts)) if firsts else None,
        }
    normal = [normal_home(seed) for seed in seeds]
    flagged, summaries = sum(n.with_finding for n in normal), sum(n.summaries for n in normal)
    alerts, months = sum(n.alerts for n in normal), len(normal) * NORMAL_DAYS / MONTH_DAYS
    print(f"normal homes: {flagged} of {summaries} weekly summaries report a change")
    print(f"normal homes: {alerts} stillness alerts in {months:.1f} home-months")
    result["normal_weekly_summaries"] = summaries
    result["normal_false_per_home_quarter"] = round(flagged / summaries * 13, 2)
    result["normal_stillness_alerts_per_home_month"] = round(alerts / months, 2)
    print(json.dumps(result))
    return 0

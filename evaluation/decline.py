"""How soon the slow-change scorer tells a simulated decline, and how often it tells a change
that is not there (`veille eval-decline`).

Each seed plays `ONSET_DAY` days of the simulated resident's usual routine, then the
simulator's `slow_decline` over `weeks` (rising up to an hour later, twice the night trips,
fewer kitchen visits and outings), through the real detector. The scorer is asked each day, to
date its first finding pointing the way of the decline; Sunday's digest reports it on the
first Sunday it holds. As a yardstick, a test told the onset and the ramp's shape (which the
scorer is not) measures how far the rising time has moved by day 10, in standard errors: what
any scorer could see then. The same seeds also play `night_trips_up` (twice the night
bathroom trips for two weeks: a urinary infection's early sign). Normal homes play
`NORMAL_DAYS` with one summary a week once four weeks are known (as `veille eval` scores the
real homes): any finding there is a false one, and so is any stillness alert they raise
(counted per home-month, as `veille eval` counts them).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

import numpy as np

from analytics import trend
from analytics.daily import DayStats
from analytics.decision import INACTIVITY_KINDS, Flag
from evaluation.scoring import MIN_TREND_DAYS, MONTH
from evaluation.simulated import START, simulate

ONSET_DAY = 28  # four weeks of the usual routine first: the scorer's baseline
ONSET = START + timedelta(days=ONSET_DAY)
YARDSTICK_DAY = 10  # the target: a decline found within 10 days of its onset
REPORT_DAYS = (YARDSTICK_DAY, 14, 21)  # the slower changes are reported by these days too
DETECTABLE_Z = 3.0  # a test told the onset sees the change this clearly: it was findable
AFTER_DECLINE_DAYS = 21  # watched this long after the decline has run its course
INFECTION_DAYS = 14  # the night trips stay doubled this long
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
    told_z: float | None = None  # `told_onset_z` on day YARDSTICK_DAY


def _declining(days: Sequence[DayStats], signs: Mapping[str, float]) -> str | None:
    for finding in trend.score(days):
        sign = signs.get(finding.feature, 0.0)
        if sign * (finding.recent - finding.baseline) > 0:
            return finding.feature
    return None


def first_findings(
    days: Sequence[DayStats],
    onset: int,
    seed: int = 0,
    signs: Mapping[str, float] = DECLINE_SIGN,
) -> Declined:
    """When, after the `onset`-th day, the scorer first finds the change: a finding about one
    of `signs`' features, the way it gives."""
    first_day = first_sunday = None
    feature = None
    for after in range(1, len(days) - onset + 1):
        found = _declining(days[: onset + after], signs)
        if found is None:
            continue
        if first_day is None:
            first_day, feature = after, found
        # days[:n] ends with the day before day n: the digest of day n's morning has them.
        if (START + timedelta(days=onset + after)).weekday() == SUNDAY:
            first_sunday = after
            break
    return Declined(seed, first_day, first_sunday, feature)


def told_onset_z(days: Sequence[DayStats], onset: date, weeks: float) -> float | None:
    """How many standard errors the rising time has moved the way of decline, by a least-squares
    fit of the ramp the simulator plays (0 before `onset`, 1 once `weeks` have passed), with
    the spread of the days before it: the best a test could do knowing when and how."""
    pairs = [(d.day, d.wake_h) for d in days if d.wake_h is not None]
    ramp = np.array([min(max((day - onset).days / (7 * weeks), 0.0), 1.0) for day, _ in pairs])
    wake = np.array([hour for _, hour in pairs])
    before = wake[ramp == 0.0]
    if len(before) < 2 or not ramp.any():
        return None
    design = np.column_stack([np.ones_like(ramp), ramp])
    (_, shift), *_ = np.linalg.lstsq(design, wake, rcond=None)
    variance = float(before.var(ddof=1)) * np.linalg.inv(design.T @ design)[1, 1]
    return float(shift / np.sqrt(variance))


def decline(weeks: float, seed: int) -> Declined:
    total = ONSET_DAY + 7 * weeks + AFTER_DECLINE_DAYS
    cue = f"slow_decline@{ONSET.isoformat()},weeks={weeks:g}"
    detector, _ = simulate(total, (cue,), seed=seed)
    found = first_findings(detector.days, ONSET_DAY, seed)
    early = detector.days[: ONSET_DAY + YARDSTICK_DAY]
    return replace(found, told_z=told_onset_z(early, ONSET.date(), weeks))


def infection(seed: int) -> Declined:
    """Twice the night bathroom trips from the onset on, for `INFECTION_DAYS`: the scorer's
    first finding of more night trips (`night_trips_up`, a urinary infection's early sign)."""
    cue = f"night_trips_up@{ONSET.isoformat()},for={INFECTION_DAYS}d"
    detector, _ = simulate(ONSET_DAY + INFECTION_DAYS, (cue,), seed=seed)
    return first_findings(detector.days, ONSET_DAY, seed, {"night_bathroom_trips": 1.0})


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
    parser.add_argument("--seeds", type=int, default=10, help="simulated residents per case")
    parser.add_argument(
        "--weeks", type=float, nargs="+", default=[2.0, 4.0], help="how long each decline takes"
    )


def _days(value: int | None) -> str:
    return "-" if value is None else str(value)


def _table(found: Sequence[Declined]) -> dict[str, object]:
    """Print one row per seed; return the figures for the JSON line. The told-onset columns
    only where there is a ramp to be told of."""
    told = [d.told_z for d in found if d.told_z is not None]
    column = f"  told the onset (z, day {YARDSTICK_DAY})" if told else ""
    print(f"seed  scorer  Sunday digest{column}  feature")
    for d in found:
        z_text = "-" if d.told_z is None else f"{d.told_z:.1f}"
        z_cell = f"  {z_text:>29}" if told else ""
        print(
            f"{d.seed:>4}  {_days(d.first_day):>6}  {_days(d.first_sunday):>13}{z_cell}"
            f"  {d.feature or '-'}"
        )
    firsts = [d.first_day for d in found if d.first_day is not None]
    figures: dict[str, object] = {
        "first_day": [d.first_day for d in found],
        "first_sunday": [d.first_sunday for d in found],
        "within_10_days": sum(day <= YARDSTICK_DAY for day in firsts) / len(found),
        "found_by_day": {
            str(by): sum(day <= by for day in firsts) / len(found) for by in REPORT_DAYS
        },
        "first_day_p50": float(statistics.median(firsts)) if firsts else None,
    }
    if told:
        figures["told_onset_z_day_10"] = [
            None if d.told_z is None else round(d.told_z, 2) for d in found
        ]
        figures["told_onset_z_day_10_p50"] = round(float(statistics.median(told)), 2)
    return figures


def run(args: argparse.Namespace) -> int:
    seeds = range(1, args.seeds + 1)
    result: dict[str, object] = {}
    ramps: dict[float, list[Declined]] = {}
    for weeks in args.weeks:
        found = ramps[weeks] = [decline(weeks, seed) for seed in seeds]
        print(
            f"slow_decline over {weeks:g} weeks (days after onset; '-': not within"
            f" {7 * weeks + AFTER_DECLINE_DAYS:g})"
        )
        result[f"weeks_{weeks:g}"] = _table(found)
    found = [infection(seed) for seed in seeds]
    print(
        f"night_trips_up: twice the night bathroom trips for {INFECTION_DAYS} days (days after"
        f" onset; '-': not within {INFECTION_DAYS})"
    )
    result["night_trips_x2"] = _table(found)
    normal = [normal_home(seed) for seed in seeds]
    flagged, summaries = sum(n.with_finding for n in normal), sum(n.summaries for n in normal)
    alerts, months = sum(n.alerts for n in normal), len(normal) * NORMAL_DAYS / MONTH_DAYS
    print(f"normal homes: {flagged} of {summaries} weekly summaries report a change")
    print(f"normal homes: {alerts} stillness alerts in {months:.1f} home-months")
    result["normal_weekly_summaries"] = summaries
    result["normal_stillness_alerts_per_home_month"] = round(alerts / months, 2)
    detectable = [d for found in ramps.values() for d in found if (d.told_z or 0.0) >= DETECTABLE_Z]
    in_time = [d for d in detectable if d.first_day is not None and d.first_day <= YARDSTICK_DAY]
    result["detectable_cases"] = len(detectable)
    result["found_when_detectable"] = len(in_time) / len(detectable) if detectable else None
    two_week = ramps.get(2.0)
    result["two_week_found_by_day_10"] = (
        None
        if two_week is None
        else sum(d.first_day is not None and d.first_day <= YARDSTICK_DAY for d in two_week)
        / len(two_week)
    )
    # Per home-quarter: a weekly summary with a finding, on homes where nothing changed.
    result["false_findings_per_home_quarter"] = round(flagged / summaries * 13, 2)
    print(json.dumps(result))
    return 0

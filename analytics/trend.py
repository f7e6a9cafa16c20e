"""Slow change: daily routine features scored for a sustained shift over weeks.

Each feature's last five to ten days are compared with the weeks before: how many standard
errors their level sits from the earlier one (medians for times of day, means for counts).
A Theil-Sen slope (scikit-learn) over the recent three weeks must point the same way.
Findings feed the weekly summary in Sunday's digest ("getting up later by 1 h"); they are
never alarms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sklearn.linear_model import TheilSenRegressor

from analytics.daily import DayStats

RECENT_DAYS = 10
MIN_RECENT_DAYS = 5
MIN_BASELINE_DAYS = 14
Level = Literal["clipped", "mean", "median"]
# Standard errors a shift must reach: clipped times of day are near normal; counts and
# hours out are skewed, so their tails need more.
Z_LIMITS: dict[Level, float] = {"clipped": 2.75, "mean": 3.5, "median": 3.5}
AWAY_SHARE = 0.25
CLIP = 2.5  # a time of day this many usual spreads from its window's median counts as that far


@dataclass(frozen=True, slots=True)
class Feature:
    meaningful: float  # the smallest change worth telling (0: 30 % of the usual)
    floor: float  # noise floor of the day-to-day spread
    wording: str
    # "mean" for daily counts (a median of small counts jumps a whole unit at random),
    # "clipped" (a mean of clipped values) for times of day, "median" for skewed amounts
    level: Level = "median"
    per: str = " a day"  # after the amounts in the digest ("0.9 -> 2.5 a night")


FEATURES: dict[str, Feature] = {
    "wake_h": Feature(0.4, 0.25, "getting up {sign} by {abs_h}", level="clipped", per=""),
    "bed_h": Feature(1.0, 0.75, "going to bed {sign} by {abs_h}", level="clipped", per=""),
    "night_bathroom_trips": Feature(
        0.75, 0.5, "night bathroom trips {ratio}", level="mean", per=" a night"
    ),
    "kitchen_visits": Feature(1.5, 1.0, "kitchen visits {ratio}", level="mean"),
    "hours_out": Feature(2.0, 1.5, "time out of home {ratio}", per=" h a day"),
    "activity_events": Feature(0.0, 10.0, "overall activity {ratio}", per=" events a day"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    feature: str
    baseline: float
    recent: float
    z: float
    slope_per_week: float
    text: str


def _series(table: Sequence[dict[str, float]], feature: str) -> tuple[np.ndarray, np.ndarray]:
    """Day positions and values of one feature, on the days that have it."""
    pairs = [(i, row[feature]) for i, row in enumerate(table) if feature in row]
    if not pairs:
        return np.zeros(0), np.zeros(0)
    index, values = zip(*pairs, strict=True)
    return np.asarray(index, dtype=float), np.asarray(values, dtype=float)


def _amount(spec: Feature, value: float) -> str:
    """A level as the family reads it: times of day on the clock, large counts whole."""
    if spec.level == "clipped":
        minutes = round(value * 60) % (24 * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{value:.0f}" if value >= 20 else f"{value:.1f}"


def _wording(feature: str, baseline: float, recent: float, recent_days: int) -> str:
    spec = FEATURES[feature]
    change = recent - baseline
    minutes = round(abs(change) * 60 / 5) * 5  # as the clock times beside it show
    abs_h = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    if baseline <= 0:
        ratio = "up from none"
    elif recent / baseline >= 1.8:
        ratio = "about doubled"
    else:
        ratio = f"{'up' if change > 0 else 'down'} {abs(change) / max(baseline, 1e-9):.0%}"
    text = spec.wording.format(sign="later" if change > 0 else "earlier", abs_h=abs_h, ratio=ratio)
    amounts = f"{_amount(spec, baseline)} -> {_amount(spec, recent)}{spec.per}"
    return f"{text} over the last {recent_days} days ({amounts})"


def _shift(spec: Feature, base: np.ndarray, recent: np.ndarray) -> tuple[float, float, float]:
    """(usual, recent, z): how far the recent level sits from the usual, in standard errors."""
    if spec.level == "mean":
        centre, now = float(base.mean()), float(recent.mean())
        variance = max(float(base.var(ddof=1)), spec.floor**2)
        z = (now - centre) / float(np.sqrt(variance / len(recent) + variance / len(base)))
        return centre, now, z
    centre = float(np.median(base))
    spread = max(float(np.median(np.abs(base - centre))) * 1.4826, spec.floor)
    if spec.level == "median":  # hours out: many days at 0, a few long ones
        now = float(np.median(recent))
        return centre, now, (now - centre) / (spread * 1.25 / np.sqrt(len(recent)))
    # Means of values clipped to the usual spread around each window's median: as robust to
    # a night out as a median, and a quarter more sensitive to a real shift.
    base_c = np.clip(base, centre - CLIP * spread, centre + CLIP * spread)
    middle = float(np.median(recent))
    recent_c = np.clip(recent, middle - CLIP * spread, middle + CLIP * spread)
    sd = max(float(base_c.std(ddof=1)), spec.floor)
    usual, now = float(base_c.mean()), float(recent_c.mean())
    return usual, now, (now - usual) / (sd * float(np.sqrt(1 / len(recent) + 1 / len(base))))


def home_days(days: Sequence[DayStats]) -> list[DayStats]:
    """The days the resident spent at home: a day with under a quarter of the usual activity
    was spent away (a trip, a stay in hospital) and says nothing about the routine."""
    if not days:
        return []
    usual = float(np.median([d.activity_events for d in days]))
    return [d for d in days if d.activity_events >= AWAY_SHARE * usual]


def score(days: Sequence[DayStats]) -> list[Finding]:
    """Sustained changes in the last five to ten days at home against the weeks before them.
    The recent window whose shift stands out most is kept, so a change is told as soon as five
    days show it, and a slow drift once ten do."""
    return _score(home_days(days))


def _score(days: Sequence[DayStats]) -> list[Finding]:
    """`score` over days already known to be spent at home."""
    table = [d.features() for d in days]
    findings: list[Finding] = []
    for feature, spec in FEATURES.items():
        index, values = _series(table, feature)
        best: tuple[float, float, float, int] | None = None
        for recent_days in range(MIN_RECENT_DAYS, RECENT_DAYS + 1):
            recent_mask = index >= len(days) - recent_days
            base, recent = values[~recent_mask], values[recent_mask]
            if len(base) < MIN_BASELINE_DAYS or len(recent) < MIN_RECENT_DAYS:
                continue
            centre, now, z = _shift(spec, base, recent)
            threshold = spec.meaningful if spec.meaningful > 0 else 0.3 * centre
            if abs(now - centre) >= threshold and (best is None or abs(z) > abs(best[2])):
                best = (centre, now, z, recent_days)
        if best is None or abs(best[2]) < Z_LIMITS[spec.level]:
            continue
        centre, now, z, recent_days = best
        window = index >= len(days) - 2 * RECENT_DAYS
        model = TheilSenRegressor(random_state=0).fit(index[window, None], values[window])
        slope = float(model.coef_[0]) * 7
        if np.sign(slope) != np.sign(now - centre):
            continue  # a jump that is already reverting is not a sustained change
        text = _wording(feature, centre, now, recent_days)
        findings.append(Finding(feature, centre, now, z, slope, text))
    return findings


def weekly_summary(days: Sequence[DayStats]) -> str:
    at_home = home_days(days)
    if len(at_home) < MIN_BASELINE_DAYS + MIN_RECENT_DAYS:
        return (
            f"Too few days at home so far ({len(at_home)}) to tell lasting changes in the routine."
        )
    findings = _score(at_home)
    if not findings:
        return "No lasting change in the daily routine over the last weeks."
    return "Changes in the daily routine: " + "; ".join(f.text for f in findings) + "."

"""Slow change: daily routine features scored for a sustained shift over weeks.

Each feature's last ten days are compared with the weeks before: how many standard errors
their median sits from the earlier median. A Theil-Sen slope (scikit-learn) over the recent
month must point the same way. Findings feed a weekly summary ("getting up later by 1 h");
they are never alarms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import TheilSenRegressor

from analytics.daily import DayStats

RECENT_DAYS = 10
MIN_BASELINE_DAYS = 14
Z_LIMIT = 4.0
# feature -> (smallest change worth telling, noise floor of the spread, wording)
MEANINGFUL: dict[str, tuple[float, float, str]] = {
    "wake_h": (0.5, 0.25, "getting up {sign} by {abs_h}"),
    "bed_h": (1.0, 0.75, "going to bed {sign} by {abs_h}"),
    "night_bathroom_trips": (0.75, 0.5, "night bathroom trips {ratio}"),
    "kitchen_visits": (1.5, 1.0, "kitchen visits {ratio}"),
    "hours_out": (2.0, 1.5, "time out of home {ratio}"),
    "activity_events": (0.0, 10.0, "overall activity {ratio}"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    feature: str
    baseline: float
    recent: float
    z: float
    slope_per_week: float
    text: str


def _series(days: Sequence[DayStats], feature: str) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(i, d.features()[feature]) for i, d in enumerate(days) if feature in d.features()]
    if not pairs:
        return np.zeros(0), np.zeros(0)
    index, values = zip(*pairs, strict=True)
    return np.asarray(index, dtype=float), np.asarray(values, dtype=float)


def _wording(feature: str, baseline: float, recent: float) -> str:
    template = MEANINGFUL[feature][2]
    change = recent - baseline
    minutes = round(abs(change) * 60 / 15) * 15
    abs_h = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    if baseline <= 0:
        ratio = "up from none"
    elif recent / baseline >= 1.8:
        ratio = "about doubled"
    else:
        ratio = f"{'up' if change > 0 else 'down'} {abs(change) / max(baseline, 1e-9):.0%}"
    text = template.format(sign="later" if change > 0 else "earlier", abs_h=abs_h, ratio=ratio)
    return f"{text} over the last {RECENT_DAYS} days ({baseline:.1f} -> {recent:.1f} a day)"


def score(days: Sequence[DayStats]) -> list[Finding]:
    """Sustained changes in the last ten days against the weeks before them."""
    findings: list[Finding] = []
    for feature, (meaningful, floor, _) in MEANINGFUL.items():
        index, values = _series(days, feature)
        recent_mask = index >= len(days) - RECENT_DAYS
        base, recent = values[~recent_mask], values[recent_mask]
        if len(base) < MIN_BASELINE_DAYS or len(recent) < RECENT_DAYS // 2:
            continue
        centre = float(np.median(base))
        spread = float(np.median(np.abs(base - centre))) * 1.4826
        now = float(np.median(recent))
        # How far the recent median sits from the usual, in standard errors of that median.
        z = (now - centre) / (max(spread, floor) * 1.25 / np.sqrt(len(recent)))
        threshold = meaningful if meaningful > 0 else 0.3 * centre
        if abs(z) < Z_LIMIT or abs(now - centre) < threshold:
            continue
        window = index >= len(days) - 2 * RECENT_DAYS
        model = TheilSenRegressor(random_state=0).fit(index[window, None], values[window])
        slope = float(model.coef_[0]) * 7
        if np.sign(slope) != np.sign(now - centre):
            continue  # a jump that is already reverting is not a sustained change
        findings.append(Finding(feature, centre, now, z, slope, _wording(feature, centre, now)))
    return findings


def weekly_summary(days: Sequence[DayStats]) -> str:
    findings = score(days)
    if not findings:
        return "No lasting change in the daily routine over the last weeks."
    return "Changes in the daily routine: " + "; ".join(f.text for f in findings) + "."

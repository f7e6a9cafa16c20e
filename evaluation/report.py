"""Summaries of `veille eval`: per-detector figures over homes, a table and the JSON."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from evaluation.hindsight import BLOCK_HOURS
from evaluation.injection import WINDOW
from evaluation.scoring import NIGHT_TARGET, Outcome


def _percentile_min(delays: list[float], q: float) -> float | None:
    return round(float(np.percentile(delays, q)) / 60, 1) if delays else None


def summarise(outcomes: Iterable[Outcome]) -> dict[str, float | int | None]:
    rows = list(outcomes)
    months = sum(o.months for o in rows)
    week_months = sum(o.first_week_months for o in rows)
    false = sum(o.false_alerts for o in rows)
    week_false = sum(o.first_week_false_alerts for o in rows)
    day = [d for o in rows for d in o.day_delays_s]
    night = [d for o in rows for d in o.night_delays_s]
    lie_in = [d for o in rows for d in o.lie_in_delays_s]
    lie_in_hit = [d for d in lie_in if d is not None and d <= WINDOW.total_seconds()]
    day_hit = [d for d in day if d is not None and d <= WINDOW.total_seconds()]
    night_hit = [d for d in night if d is not None and d <= NIGHT_TARGET.total_seconds()]
    night_any = [d for d in night if d is not None]
    return {
        "false_alerts_per_home_month": round(false / months, 2) if months else None,
        "false_alerts": false,
        "home_months": round(months, 2),
        "first_week_false_alerts_per_home_month": (
            round(week_false / week_months, 2) if week_months else None
        ),
        "recall": round(len(day_hit) / len(day), 3) if day else None,
        "delay_min_p50": _percentile_min(day_hit, 50),
        "delay_min_p90": _percentile_min(day_hit, 90),
        "day_injections": len(day),
        "night_recall_60min": round(len(night_hit) / len(night), 3) if night else None,
        "night_delay_min_p50": _percentile_min(night_any, 50),
        "night_injections": len(night),
        # silences injected into a daytime sleep (a lie-in): "not up" is what can call them
        "lie_in_recall": round(len(lie_in_hit) / len(lie_in), 3) if lie_in else None,
        "lie_in_delay_min_p50": _percentile_min(lie_in_hit, 50),
        "lie_in_injections": len(lie_in),
        "trend_findings_per_home_quarter": (
            round(sum(o.trend_findings for o in rows) / months * 3, 2) if months else None
        ),
    }


def false_alerts_by_kind(outcomes: Iterable[Outcome]) -> dict[str, float]:
    """Every kind of flag raised on these homes (each reaches a person: the stillness ones
    a call, the information ones a message), per home-month. In the real logs nothing
    happened to the residents, so each is a false one."""
    rows = list(outcomes)
    months = sum(o.months for o in rows)
    counts: dict[str, int] = {}
    for outcome in rows:
        for alert in outcome.false_alert_log:
            counts[alert["kind"]] = counts.get(alert["kind"], 0) + 1
        for kind, n in outcome.other_flags.items():
            counts[kind] = counts.get(kind, 0) + n
    return {kind: round(n / months, 2) for kind, n in sorted(counts.items()) if months}


COLUMNS = (
    ("false_alerts_per_home_month", "FA/home-mo"),
    ("first_week_false_alerts_per_home_month", "FA wk1"),
    ("recall", "day recall"),
    ("delay_min_p50", "p50 min"),
    ("delay_min_p90", "p90 min"),
    ("night_recall_60min", "night<=60m"),
    ("night_delay_min_p50", "night p50"),
    ("lie_in_delay_min_p50", "lie-in p50"),
)


def table(title: str, summary: Mapping[str, Mapping[str, object]]) -> str:
    lines = [title, f"{'detector':<18}" + "".join(f"{h:>12}" for _, h in COLUMNS)]
    for name, figures in summary.items():
        cells = "".join(f"{'-' if figures[k] is None else figures[k]!s:>12}" for k, _ in COLUMNS)
        lines.append(f"{name:<18}{cells}")
    return "\n".join(lines)


Figures = dict[str, float | int | None]
# What the "done when" asks of every detector, in the last line of `veille eval`.
HEADLINE = ("false_alerts_per_home_month", "recall", "delay_min_p50", "delay_min_p90")


@dataclass(frozen=True, slots=True)
class Matched:
    """A baseline and Veille at the most sensitive setting with no more false alerts."""

    setting: str  # "veille" or a `LADDER` name
    veille: Figures
    baseline: Figures


def at_equal_false_alerts(
    summary: Mapping[str, Figures], baselines: Iterable[str], ladder: Iterable[str]
) -> dict[str, Matched]:
    """Per baseline: Veille at the most sensitive setting (`veille` first, then `ladder` in
    order of sensitivity) that raises no more false alerts than the baseline, with its figures
    and the baseline's on the same injections."""
    rungs = ["veille", *ladder]
    matched: dict[str, Matched] = {}
    for base in baselines:
        allowed = summary[base]["false_alerts_per_home_month"]
        fit = [r for r in rungs if _at_most(summary[r]["false_alerts_per_home_month"], allowed)]
        best = fit[-1] if fit else "veille"
        veille = {k: summary[best][k] for k in HEADLINE}
        matched[base] = Matched(best, veille, {k: summary[base][k] for k in HEADLINE})
    return matched


def _at_most(value: float | int | None, bound: float | int | None) -> bool:
    return value is not None and bound is not None and value <= bound


def matched_table(matched: Mapping[str, Matched]) -> str:
    lines = [
        "Veille at no more false alerts than each baseline (same injections)",
        f"{'baseline':<18}{'veille as':>12}{'FA/home-mo':>12}{'recall':>10}{'p50 min':>10}"
        f"{'p90 min':>10}",
    ]
    for base, row in matched.items():
        for label, setting, figures in ((base, "", row.baseline), ("", row.setting, row.veille)):
            lines.append(
                f"{label:<18}{setting:>12}"
                + f"{figures['false_alerts_per_home_month']!s:>12}{figures['recall']!s:>10}"
                + f"{figures['delay_min_p50']!s:>10}{figures['delay_min_p90']!s:>10}"
            )
    return "\n".join(lines)


def longest_table(quiet: Mapping[str, Mapping[str, list[float | None]]]) -> str:
    """Per home: the longest quiet spell at home per 3-hour block (`hindsight.longest_min`)."""
    hours = [f"{h:02d}-{h + BLOCK_HOURS:02d}" for h in range(0, 24, BLOCK_HOURS)]
    lines = [
        "Longest quiet spell at home (min) by the local hour it began (absences left out)",
        f"{'home':<20}{'where':<11}" + "".join(f"{h:>7}" for h in hours),
    ]
    for home, rows in quiet.items():
        for where, values in rows.items():
            cells = "".join(f"{'-' if v is None else v!s:>7}" for v in values)
            lines.append(f"{home:<20}{where:<11}{cells}")
    return "\n".join(lines)

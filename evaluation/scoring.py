"""`veille eval`: replay every real home, count false alerts, inject silences, and compare
Veille with the baselines on exactly the same events and injections. Injections stay inside
the span the datasets' own labels cover, and daytime ones out of the absences they record
(`devices.datasets.absences`)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from analytics import trend
from analytics.decision import INACTIVITY_KINDS, Flag
from analytics.engine import HomeDetector
from analytics.home import HomeConfig, Observation
from evaluation import baselines, hindsight
from evaluation.injection import WINDOW, Injection, Period, plan
from evaluation.replay import Detector, advance, flags

MONTH = timedelta(days=30.44)
FIRST_WEEK = timedelta(days=7)
NIGHT_TARGET = timedelta(minutes=60)
MIN_TREND_DAYS = 28
SEPARATE_RECORDINGS = timedelta(days=7)
# Homes with one resident count toward the targets; two-resident homes only for noise.
SINGLE = ("casas-al-smarthome", "casas-cil-tm000", "kasteren-a", "kasteren-b", "kasteren-c")
SHARED = ("aras-a", "aras-b")

Factory = Callable[[HomeConfig], Detector]
# Not detectors: the figures any detector could reach knowing each place's longest quiet
# spell per block in advance (`evaluation.hindsight`), at no false alert; and knowing also
# which quiet spells to give up, as many as the target allows (`spend_allowance`).
HINDSIGHT = "hindsight_bound"
HINDSIGHT_SPENDING = "hindsight_spending"
ALLOWANCE_PER_MONTH = 1.0  # the target: one false alert per home-month


BASELINES: dict[str, Factory] = {
    "timer_4h_day": lambda c: baselines.FixedTimer(timedelta(hours=4), c.zone, (8, 22)),
    "timer_12h": lambda c: baselines.FixedTimer(timedelta(hours=12), c.zone),
    "slot_max_cuddihy": lambda c: baselines.SlotMaxLearner(c.zone),
}
DETECTORS: dict[str, Factory] = {"veille": lambda c: HomeDetector(c)} | BASELINES


def _sensitive(sensitivity: float) -> Factory:
    return lambda c: HomeDetector(replace(c, sensitivity=sensitivity))


# Veille at higher sensitivities (`homes.sensitivity`), on the same injections: each baseline
# is compared with the most sensitive of them that raises no more false alerts than it does.
LADDER: dict[str, Factory] = {f"veille_x{s}": _sensitive(s) for s in (2, 4, 8, 16, 32, 64)}


@dataclass
class Outcome:
    """One detector on one home."""

    months: float = 0.0
    first_week_months: float = 0.0
    false_alerts: int = 0
    first_week_false_alerts: int = 0
    other_flags: dict[str, int] = field(default_factory=dict)
    trend_findings: int = 0  # slow-change findings in the weekly summaries (all false here)
    # each false stillness alert: local time, kind, where and since when, to read the causes
    false_alert_log: list[dict[str, str]] = field(default_factory=list)
    day_delays_s: list[float | None] = field(default_factory=list)  # None: missed in 12 h
    night_delays_s: list[float | None] = field(default_factory=list)
    lie_in_delays_s: list[float | None] = field(default_factory=list)  # asleep in the day
    yardsticks: list[hindsight.Yardstick] = field(default_factory=list)  # the bounds' only

    def delays(self, kind: str) -> list[float | None]:
        """The delays of one kind of injection (`Injection.kind`)."""
        return {
            "day": self.day_delays_s,
            "night": self.night_delays_s,
            "lie_in": self.lie_in_delays_s,
        }[kind]


def _detect(detector: Detector, at: datetime) -> float | None:
    """Seconds from `at` until the (copied) detector raises a stillness flag in silence."""
    detector = copy.deepcopy(detector)
    open_kinds = getattr(getattr(detector, "state", None), "open", {})
    if INACTIVITY_KINDS & open_kinds.keys() or getattr(detector, "fired", False):
        return 0.0  # an alert about this very silence is already out
    end = at + WINDOW
    for _ in range(100):
        deadline = detector.next_deadline(None)
        if deadline is None or deadline > end:
            return None
        if any(f.kind in INACTIVITY_KINDS for f in flags(detector.check(max(deadline, at)))):
            return (max(deadline, at) - at).total_seconds()
    return None


def recordings(stream: Sequence[Observation]) -> list[Sequence[Observation]]:
    """Separate recordings merged into one log (tm000 is a 1-hour extract, then a week five
    months later): split at gaps over a week, and drop pieces shorter than a day."""
    pieces: list[Sequence[Observation]] = []
    start = 0
    for i in range(1, len(stream) + 1):
        if i == len(stream) or stream[i].at - stream[i - 1].at > SEPARATE_RECORDINGS:
            piece = stream[start:i]
            if piece and piece[-1].at - piece[0].at >= timedelta(days=1):
                pieces.append(piece)
            start = i
    return pieces


def evaluate_home(
    config: HomeConfig,
    stream: Sequence[Observation],
    day: int = 40,
    night: int = 40,
    absences: Sequence[Period] = (),
    span: Period | None = None,
    asleep: Sequence[Period] = (),
) -> dict[str, Outcome]:
    """`absences`: aware periods the labels say the home was empty (no daytime injection);
    `span`: aware, what the labels cover (no injection outside it; None: no labels);
    `asleep`: aware periods the labels say the resident slept (no night injection)."""
    injections: list[Injection] = plan(stream, config, day, night, absences, span, asleep)
    detectors = {name: make(config) for name, make in (DETECTORS | LADDER).items()}
    results = {name: Outcome() for name in detectors}
    raised: dict[str, list[Flag]] = {name: [] for name in detectors}
    pending = list(reversed(injections))
    starts: list[tuple[str, hindsight.Start | None]] = []  # the bounds', one per injection

    def inject(upto: datetime, inclusive: bool) -> None:
        while pending and (pending[-1].at < upto or (inclusive and pending[-1].at == upto)):
            injection = pending.pop()
            veille = detectors["veille"]
            if isinstance(veille, HomeDetector):
                starts.append((injection.kind, hindsight.start_of(veille, injection.at)))
            for name, detector in detectors.items():
                raised[name] += flags(advance(detector, injection.at))
                results[name].delays(injection.kind).append(_detect(detector, injection.at))

    for obs in stream:
        inject(obs.at, inclusive=False)
        for name, detector in detectors.items():
            raised[name] += flags(advance(detector, obs.at))
            raised[name] += flags(detector.observe(obs))
        inject(obs.at, inclusive=True)  # night injections start right after their event

    veille = detectors["veille"]
    if isinstance(veille, HomeDetector):
        days = veille.days
        for end in range(MIN_TREND_DAYS, len(days) + 1, 7):  # one weekly summary a week
            results["veille"].trend_findings += len(trend.score(days[:end]))
    first, last = stream[0].at, stream[-1].at
    local_days = len({o.at.astimezone(config.zone).date() for o in stream})
    for name, outcome in results.items():
        outcome.months = local_days * timedelta(days=1) / MONTH
        outcome.first_week_months = min(last - first, FIRST_WEEK) / MONTH
        for flag in raised[name]:
            if flag.kind in INACTIVITY_KINDS:
                outcome.false_alerts += 1
                outcome.false_alert_log.append(_describe(flag, config))
                outcome.first_week_false_alerts += flag.at < first + FIRST_WEEK
            else:
                outcome.other_flags[flag.kind] = outcome.other_flags.get(flag.kind, 0) + 1
    veille_outcome = results["veille"]
    bound = results[HINDSIGHT] = Outcome(veille_outcome.months, veille_outcome.first_week_months)
    bound.yardsticks = [hindsight.yardstick(config, stream, starts)]
    _fill_delays(bound, bound.yardsticks, [{}])
    return results


def _fill_delays(
    outcome: Outcome,
    yards: Sequence[hindsight.Yardstick],
    spent: Sequence[dict[hindsight.Cell, int]],
) -> None:
    for yard, given_up in zip(yards, spent, strict=True):
        for (kind, _, _), delay in zip(yard.starts, hindsight.delays(yard, given_up), strict=True):
            outcome.delays(kind).append(delay)


def spend_allowance(homes: Sequence[Outcome]) -> list[Outcome]:
    """The hindsight bound of each home (`HINDSIGHT` outcomes) that also gives up the quiet
    spells most worth giving up, as many as the target allows over these homes together."""
    months = sum(o.months for o in homes)
    yards = [y for o in homes for y in o.yardsticks]
    spent = hindsight.spend(yards, int(months * ALLOWANCE_PER_MONTH))
    spending: list[Outcome] = []
    for home in homes:
        mine, spent = spent[: len(home.yardsticks)], spent[len(home.yardsticks) :]
        outcome = Outcome(home.months)  # no first-week figure: the spells given up are undated
        outcome.false_alerts = sum(n for cells in mine for n in cells.values())
        _fill_delays(outcome, home.yardsticks, mine)
        spending.append(outcome)
    return spending


def _describe(flag: Flag, config: HomeConfig) -> dict[str, str]:
    details = flag.details
    return {
        "at": flag.at.astimezone(config.zone).isoformat(timespec="minutes"),
        "kind": flag.kind,
        "place": str(details.get("place", details.get("room", ""))),
        "since": str(details.get("last_activity_local", "")),
        "device": str(details.get("device_id", "")),
    }


def merge(results: list[dict[str, Outcome]]) -> dict[str, Outcome]:
    """Outcomes of several recordings of one home, added up."""
    merged: dict[str, Outcome] = {}
    for result in results:
        for name, outcome in result.items():
            total = merged.setdefault(name, Outcome())
            total.months += outcome.months
            total.first_week_months += outcome.first_week_months
            total.false_alerts += outcome.false_alerts
            total.first_week_false_alerts += outcome.first_week_false_alerts
            total.trend_findings += outcome.trend_findings
            total.false_alert_log += outcome.false_alert_log
            total.day_delays_s += outcome.day_delays_s
            total.night_delays_s += outcome.night_delays_s
            total.lie_in_delays_s += outcome.lie_in_delays_s
            total.yardsticks += outcome.yardsticks
            for kind, count in outcome.other_flags.items():
                total.other_flags[kind] = total.other_flags.get(kind, 0) + count
    return merged

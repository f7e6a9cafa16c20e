"""The offline tools' command-line entry points, wired into `veille` by the composition root.

- `veille backtest`: `backtest_add_arguments` / `backtest_run`
- `veille eval`: `eval_add_arguments` / `eval_run`
- `veille bench detector`: `bench_add_arguments` / `bench_run`
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, replace
from functools import partial
from pathlib import Path

from analytics.calibration import Calibration
from analytics.home import HomeConfig, Observation
from devices.datasets import DEFAULT_DATA_ROOT, load_home
from devices.datasets.absences import home_labels
from evaluation import bench, hindsight
from evaluation.backtest import (
    FORMATS,
    alert_lines,
    load_home_json,
    load_log,
    run_backtest,
    write_alerts,
)
from evaluation.fit import Longest, fit_calibration, longest
from evaluation.injection import aware
from evaluation.replay import home_config, observations
from evaluation.report import (
    HEADLINE,
    at_equal_false_alerts,
    false_alerts_by_kind,
    longest_table,
    matched_table,
    summarise,
    table,
)
from evaluation.scoring import (
    BASELINES,
    DETECTORS,
    HINDSIGHT,
    HINDSIGHT_SPENDING,
    LADDER,
    SHARED,
    SINGLE,
    Outcome,
    evaluate_home,
    merge,
    recordings,
    spend_allowance,
)


# -- veille backtest ------------------------------------------------------------------------
def backtest_add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("log", type=Path, help="the recorded log (ARAS: the folder of DAY_N)")
    parser.add_argument("--format", required=True, choices=FORMATS, dest="log_format")
    parser.add_argument("--home", required=True, type=Path, help="HOME.json sensor map")
    parser.add_argument("--out", type=Path, help="ALERTS.jsonl (default: standard output)")


def backtest_run(args: argparse.Namespace) -> int:
    config = load_home_json(args.home)
    records = load_log(args.log, args.log_format)
    lines = alert_lines(run_backtest(records, config), config)
    if args.out is None:
        write_alerts(lines, sys.stdout)
    else:
        with open(args.out, "w", encoding="utf-8") as out:
            write_alerts(lines, out)
        print(f"{len(records)} records, {len(lines)} alerts -> {args.out}", file=sys.stderr)
    return 0


# -- veille eval ------------------------------------------------------------------------------
def eval_add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_ROOT, help="shared data root")
    parser.add_argument("--day", type=int, default=40, help="daytime injections per home")
    parser.add_argument("--night", type=int, default=40, help="night injections per home")
    parser.add_argument(
        "--out", type=Path, default=Path(".veille/eval.json"), help="where to write the JSON"
    )
    parser.add_argument(
        "--in-sample",
        action="store_true",
        help="fit the calibration on every home, the scored one included (the older figures)",
    )


def _recordings(name: str, data: Path) -> tuple[HomeConfig, list[Sequence[Observation]]]:
    records, sensor_map = load_home(name, data)
    config = home_config(sensor_map)
    return config, recordings(list(observations(records, config)))


def _longest(name: str, data: Path) -> Longest:
    """One home's training figures (run in a worker process)."""
    return longest(*_recordings(name, data))


def calibrations(trained: Mapping[str, Longest], in_sample: bool) -> dict[str, Calibration]:
    """Per scored home, the calibration it is scored with: fitted on every single-resident
    home but itself (leave-one-home-out), or on all of them (in sample). The two-resident
    homes are never in the fit, so they are held out either way."""
    every = fit_calibration(trained.values())
    fitted = {name: every for name in SINGLE + SHARED}
    if not in_sample:
        for name in SINGLE:
            fitted[name] = fit_calibration(v for h, v in trained.items() if h != name)
    return fitted


def _evaluate(
    name: str, calibration: Calibration, data: Path, day: int, night: int
) -> dict[str, Outcome]:
    """One home, all its recordings (run in a worker process: homes are independent)."""
    config, pieces = _recordings(name, data)
    config = replace(config, calibration=calibration)
    labels = home_labels(name, data)
    absences = [aware(period, config.zone) for period in labels.absences]
    span = None if labels.span is None else aware(labels.span, config.zone)
    asleep = [aware(period, config.zone) for period in labels.asleep]
    return merge([evaluate_home(config, p, day, night, absences, span, asleep) for p in pieces])


def eval_run(args: argparse.Namespace) -> int:
    names = SINGLE + SHARED
    protocol = "in-sample" if args.in_sample else "leave-one-home-out"
    with ProcessPoolExecutor() as pool:
        trained = dict(
            zip(SINGLE, pool.map(partial(_longest, data=args.data), SINGLE), strict=True)
        )
        fitted = calibrations(trained, args.in_sample)
        evaluate = partial(_evaluate, data=args.data, day=args.day, night=args.night)
        outcomes = pool.map(evaluate, names, [fitted[n] for n in names])
        per_home = dict(zip(names, outcomes, strict=True))
    print(f"protocol: {protocol}")
    for name in names:
        c = fitted[name]
        print(f"{name}: ceilings {c.day_ceiling} by day, {c.evening_ceiling} in the evening")
    for group in (SINGLE, SHARED):  # each group spends its own allowance
        bounds = spend_allowance([per_home[h][HINDSIGHT] for h in group])
        for home, bound in zip(group, bounds, strict=True):
            per_home[home][HINDSIGHT_SPENDING] = bound
    for name in names:
        rows = {d: summarise([o]) for d, o in per_home[name].items() if d not in LADDER}
        print(table(name, rows) + "\n")
    detectors = list(per_home[SINGLE[0]])
    shared = {d: summarise([per_home[h][d] for h in SHARED]) for d in detectors}
    print(table("two-resident homes (ARAS; noise only, not in the targets)", shared) + "\n")
    single = {d: summarise([per_home[h][d] for h in SINGLE]) for d in detectors}
    print(table(f"single-resident homes ({', '.join(SINGLE)})", single) + "\n")
    matched = at_equal_false_alerts(single, BASELINES, LADDER)
    print(matched_table(matched) + "\n")
    quiet = {
        h: {
            where: hindsight.longest_min(r[HINDSIGHT].yardsticks, where == "bedroom")
            for where in ("bedroom", "elsewhere")
        }
        for h, r in per_home.items()
    }
    print(longest_table(quiet))
    by_kind = {d: false_alerts_by_kind([per_home[h][d] for h in SINGLE]) for d in DETECTORS}
    report = {
        "protocol": protocol,
        "calibration": {h: _minutes(c) for h, c in fitted.items()},
        "false_alerts_by_kind": by_kind,
        "single_resident": single,
        "two_residents": shared,
        "veille_at_equal_false_alerts": {base: asdict(row) for base, row in matched.items()},
        "homes": {h: {d: summarise([o]) for d, o in r.items()} for h, r in per_home.items()},
        "other_flags": {h: r["veille"].other_flags for h, r in per_home.items()},
        "veille_false_alerts": {h: r["veille"].false_alert_log for h, r in per_home.items()},
        "longest_quiet_spells_min": quiet,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    extra = (
        "first_week_false_alerts_per_home_month",
        "night_recall_60min",
        "trend_findings_per_home_quarter",
    )
    # The last line: the detectors only; the hindsight bound is in the tables and the report.
    last: dict[str, object] = {"protocol": protocol}
    for d in DETECTORS:
        last[d] = {k: single[d][k] for k in HEADLINE + extra} | {
            "false_alerts_by_kind": by_kind[d],
            "homes": {h: {k: summarise([per_home[h][d]])[k] for k in HEADLINE} for h in SINGLE},
        }
    for base, row in matched.items():
        figures = last[base]
        assert isinstance(figures, dict)
        figures["veille_at_equal_false_alerts"] = row.veille
    print(json.dumps(last))
    return 0


def _minutes(calibration: Calibration) -> dict[str, float]:
    return {k: v.total_seconds() / 60 for k, v in asdict(calibration).items()}


# -- veille bench detector ----------------------------------------------------------------------
def bench_add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--homes", type=int, default=1_000_000)
    parser.add_argument("--no-backtest", action="store_true", help="skip the dataset backtest")


def bench_run(args: argparse.Namespace) -> int:
    check_ms, due = bench.time_check(bench.synthetic_table(args.homes))
    print(f"periodic check over {args.homes:,} homes: {check_ms:.1f} ms ({due:,} due)")
    result: dict[str, float | int] = {"homes": args.homes, "check_ms": round(check_ms, 2)}
    month = bench.simulated_month()
    rate, held = bench.events_per_s(month), bench.bytes_per_home(month)
    print(f"engine on a simulated month ({len(month):,} reports): {rate:,.0f} updates/s")
    print(f"engine memory per home after 30 days: {held / 1024:.1f} KiB")
    result |= {"events_per_s": round(rate), "bytes_per_home": round(held)}
    if not args.no_backtest:
        seconds, events = bench.time_backtest()
        print(f"backtest of every shared dataset: {seconds:.1f} s for {events:,} events")
        result |= {"backtest_s": round(seconds, 2), "backtest_events": events}
    print(json.dumps(result))
    return 0

"""Command-line entry points the composition root wires into `veille`.

- `veille analytics`: `add_arguments` / `run`
- `veille backtest`: `backtest_add_arguments` / `backtest_run`
- `veille eval`: `eval_add_arguments` / `eval_run`
- `veille bench detector`: `bench_add_arguments` / `bench_run`
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

from analytics import bench, hindsight
from analytics.backtest import (
    FORMATS,
    alert_lines,
    load_home_json,
    load_log,
    run_backtest,
    write_alerts,
)
from analytics.clock import add_clock_arguments, clock_from_args
from analytics.evaluation import (
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
from analytics.injection import aware
from analytics.replay import home_config, observations
from analytics.report import (
    HEADLINE,
    at_equal_false_alerts,
    longest_table,
    matched_table,
    summarise,
    table,
)
from analytics.service import run_analytics
from devices.datasets import DEFAULT_DATA_ROOT, load_home
from devices.datasets.absences import home_labels


@dataclass(frozen=True, slots=True)
class _Settings:
    database_url: str
    analytics_check_s: float
    lease_s: float


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--check-s",
        type=float,
        default=10.0,
        help="wall-clock seconds between checks of every home (default 10)",
    )
    parser.add_argument(
        "--lease-s",
        type=float,
        default=15.0,
        help="how long a detector that died keeps its homes before another takes them",
    )
    add_clock_arguments(parser)


def run(args: argparse.Namespace, database_url: str) -> int:
    """Run the live detector until interrupted."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        settings = _Settings(database_url, args.check_s, args.lease_s)
        run_analytics(settings, clock_from_args(args), stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


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


def _evaluate(name: str, data: Path, day: int, night: int) -> dict[str, Outcome]:
    """One home, all its recordings (run in a worker process: homes are independent)."""
    records, sensor_map = load_home(name, data)
    config = home_config(sensor_map)
    pieces = recordings(list(observations(records, config)))
    labels = home_labels(name, data)
    absences = [aware(period, config.zone) for period in labels.absences]
    span = None if labels.span is None else aware(labels.span, config.zone)
    asleep = [aware(period, config.zone) for period in labels.asleep]
    return merge([evaluate_home(config, p, day, night, absences, span, asleep) for p in pieces])


def eval_run(args: argparse.Namespace) -> int:
    names = SINGLE + SHARED
    with ProcessPoolExecutor() as pool:
        evaluate = partial(_evaluate, data=args.data, day=args.day, night=args.night)
        per_home = dict(zip(names, pool.map(evaluate, names), strict=True))
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
    report = {
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
    last: dict[str, dict[str, object]] = {
        d: {k: single[d][k] for k in HEADLINE + extra} for d in DETECTORS
    }
    for base, row in matched.items():
        last[base]["veille_at_equal_false_alerts"] = row.veille
    print(json.dumps(last))
    return 0


# -- veille bench detector ----------------------------------------------------------------------
def bench_add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--homes", type=int, default=1_000_000)
    parser.add_argument("--no-backtest", action="store_true", help="skip the dataset backtest")


def bench_run(args: argparse.Namespace) -> int:
    check_ms, due = bench.time_check(bench.synthetic_table(args.homes))
    print(f"periodic check over {args.homes:,} homes: {check_ms:.1f} ms ({due:,} due)")
    result: dict[str, float | int] = {"homes": args.homes, "check_ms": round(check_ms, 2)}
    if not args.no_backtest:
        seconds, events = bench.time_backtest()
        print(f"backtest of every shared dataset: {seconds:.1f} s for {events:,} events")
        result |= {"backtest_s": round(seconds, 2), "backtest_events": events}
    print(json.dumps(result))
    return 0

"""``veille simulate``: residents' days (and what goes wrong) over MQTT or into a file."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from devices.datasets import HOMES, load_map
from simulators.formats import FORMATS
from simulators.runner import SimOptions, Stats, run_simulation
from simulators.scenario import ScenarioError
from simulators.scenarios import SCENARIOS, load_named, named_files
from simulators.sink import SinkError
from simulators.wire import Topics

SHOWN_TRUTH = 20


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--home", default="demo", help="home id (prefix of the ids with --homes)")
    add("--homes", type=int, default=1, help="number of homes simulated in this process")
    add("--seed", type=int, default=0, help="random seed: same seed, same lives")
    add("--days", type=float, help="days to play from --start (default 1; a whole replay)")
    add("--start", help="simulated start, ISO 8601 (naive = home local time); default now")
    add("--timezone", default="Europe/Paris", help="the simulated homes' timezone")
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=float, default=1.0, help="simulated s per real s")
    pace.add_argument("--fast", action="store_true", help="as fast as possible")
    add("--history-days", type=float, default=0.0, help="days before --start sent at once first")
    add("--anchor", help="wall-clock ISO time at which simulated time is --start; default now")
    add(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME[@WHEN][:ROOM]",
        help="scenario cue, WHEN = ISO time or +2h after --start (default +1h); repeatable",
    )
    add("--cue-homes", type=int, help="apply the scenarios to the first N homes only")
    add("--list-scenarios", action="store_true", help="list scenarios and exit")
    add(
        "--replay",
        choices=sorted(HOMES),
        help="replay a real home from ../shared/data instead of simulating residents",
    )
    add("--format", choices=sorted(FORMATS), default="native", help="wire format")
    add("--out", type=Path, help="write JSON lines to this file instead of publishing")
    add("--ground-truth", type=Path, help="write scenario ground truth (JSON lines) here")
    add("--prefix", default="veille", help="native topic prefix")
    add("--z2m-base-topic", default="zigbee2mqtt", help="Zigbee2MQTT base topic")
    add("--client-id", default="veille-simulator", help="MQTT client id")


def options_from_args(args: argparse.Namespace) -> SimOptions:
    # Naive times are the home's local time: a replayed home lives in its dataset's zone.
    zone = ZoneInfo(load_map(args.replay).timezone if args.replay else args.timezone)
    return SimOptions(
        home_id=args.home,
        homes=args.homes,
        seed=args.seed,
        start=_aware(args.start, zone),
        days=args.days,
        history_days=args.history_days,
        speed=None if args.fast else args.speed,
        anchor=_aware(args.anchor, zone),
        cues=tuple(args.scenario),
        replay=args.replay,
        cue_homes=args.cue_homes,
        format=args.format,
        out=args.out,
        ground_truth=args.ground_truth,
        timezone=args.timezone,
        topics=Topics(args.prefix, args.z2m_base_topic),
        client_id=args.client_id,
    )


def _aware(text: str | None, zone: ZoneInfo) -> datetime | None:
    if not text:
        return None
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=zone)


def run(args: argparse.Namespace, mqtt_url: str) -> int:
    if args.list_scenarios:
        _list_scenarios()
        return 0
    try:
        stats = run_simulation(options_from_args(args), mqtt_url)
    except (ScenarioError, SinkError, ValueError) as exc:
        print(f"veille simulate: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    _report(stats)
    return 0


def _list_scenarios() -> None:
    print("Scenarios (--scenario NAME[@WHEN][:ROOM][,key=value...]):")
    for name, scenario in sorted(SCENARIOS.items()):
        options = f" [{scenario.options}]" if scenario.options else ""
        print(f"  {name:20} {scenario.description}{options}; expect: {scenario.expect}")
    print("Named scenario files (--scenario NAME):")
    for name in named_files():
        description, cues = load_named(name)
        print(f"  {name:20} {description} ({'; '.join(cues)})")


def _report(stats: Stats) -> None:
    span = (
        f"{stats.first_at:%Y-%m-%d %H:%M} .. {stats.last_at:%Y-%m-%d %H:%M}"
        if stats.last_at
        else "-"
    )
    print(
        f"{stats.homes} home(s), {stats.events} events, {stats.messages} messages, "
        f"{stats.wall_s:.1f} s, {stats.events_per_s:.0f} events/s achieved, "
        f"worst lag {stats.max_lag_s:.2f} s, peak RSS {stats.peak_rss_mb:.0f} MB, simulated {span}"
    )
    for truth in stats.truth[:SHOWN_TRUTH]:
        print(truth.to_json())
    if len(stats.truth) > SHOWN_TRUTH:
        print(f"... and {len(stats.truth) - SHOWN_TRUTH} more ground truth records")

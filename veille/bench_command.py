"""``veille bench ingest|detector|alerts``: benchmarks that print figures (last line: JSON).

They run against the configured database and broker, or embedded ones when none is set.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack

from alerts import bench as alerts_bench
from evaluation import command as evaluation_command
from ingest import bench as ingest_bench
from veille import runtime
from veille.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="bench", required=True, metavar="WHAT")

    ingest_bench.bench_add_arguments(sub.add_parser("ingest", help="MQTT → database throughput"))
    evaluation_command.bench_add_arguments(
        sub.add_parser("detector", help="the detector's periodic check over many homes")
    )
    alerts_bench.bench_add_arguments(
        sub.add_parser("alerts", help="incident opening → first delivery latency")
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.bench == "detector":
        return evaluation_command.bench_run(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        database_url = runtime.database(settings, stack)
        if args.bench == "alerts":
            return alerts_bench.bench_run(args, database_url)

        return ingest_bench.bench_run(args, database_url, runtime.broker(settings, stack).ingest)

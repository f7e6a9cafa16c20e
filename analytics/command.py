"""`veille analytics`: the live detector's entry point, wired into `veille` by the composition
root (`add_arguments` / `run`)."""

from __future__ import annotations

import argparse
import signal
import threading
from dataclasses import dataclass

from analytics.service import run_analytics
from devices.clock import add_clock_arguments, clock_from_args


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

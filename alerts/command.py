"""``veille alerts``: escalate incidents and deliver messages until stopped."""

from __future__ import annotations

import argparse
import signal
import threading

from alerts.monitor import MonitorConfig
from alerts.people import ContactError, check_urls
from alerts.sender import SenderConfig
from alerts.service import SENDER_WORKERS, AlertsConfig, run_alerts
from analytics.clock import add_clock_arguments, clock_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--senders",
        type=int,
        default=SENDER_WORKERS,
        help=f"parallel delivery workers (default {SENDER_WORKERS})",
    )
    parser.add_argument(
        "--poll-s",
        type=float,
        default=1.0,
        help="poll interval when no database notification arrives (default 1 s)",
    )
    parser.add_argument(
        "--lease-s",
        type=float,
        default=60.0,
        help="how long a message stays with a sender that may have died (default 60 s)",
    )
    parser.add_argument(
        "--process-lease-s",
        type=float,
        default=15.0,
        help="how long a dead sender process keeps its messages (default 15 s, VEILLE_LEASE_S)",
    )
    add_clock_arguments(parser)


def run(
    args: argparse.Namespace,
    database_url: str,
    public_url: str,
    secret_key: str,
    admin_urls: str = "",
    deadman_url: str = "",
) -> int:
    """`admin_urls`: space-separated apprise URLs told when Veille stalls (settings
    ``admin_apprise_urls``); `deadman_url`: fetched while all is healthy."""
    if not secret_key:
        print("veille alerts: VEILLE_SECRET_KEY is needed to sign action links")
        return 2
    admin = admin_urls.split()
    try:
        check_urls(admin)
    except ContactError as err:
        print(f"veille alerts: VEILLE_ADMIN_APPRISE_URLS: {err}")
        return 2
    lease_s = float(args.lease_s)
    config = AlertsConfig(
        database_url=database_url,
        public_url=public_url,
        secret_key=secret_key,
        sender_workers=max(1, int(args.senders)),
        poll_s=float(args.poll_s),
        sender=SenderConfig(lease_s=lease_s, attempt_timeout_s=min(20.0, lease_s / 3)),
        process_lease_s=float(args.process_lease_s),
        monitor=MonitorConfig(admin_urls=tuple(admin), deadman_url=deadman_url),
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    run_alerts(config, clock_from_args(args), stop)
    return 0

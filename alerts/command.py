"""``veille alerts``: escalate incidents and deliver messages until stopped."""

from __future__ import annotations

import argparse
import signal
import threading

from alerts.homeassistant import run_status_publisher
from alerts.monitor import MonitorConfig
from alerts.outbound import Outbound
from alerts.people import ContactError, check_urls
from alerts.sender import SenderConfig
from alerts.service import SENDER_WORKERS, AlertsConfig, run_alerts
from devices.clock import add_clock_arguments, clock_from_args
from storage.retention import Retention


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
    data_key: str = "",
    outbound: Outbound | None = None,
    retention: Retention | None = None,
    mqtt_url: str = "",
    ha_discovery_prefix: str = "",
    topic_prefix: str = "veille",
) -> int:
    """`admin_urls`: space-separated apprise URLs told when Veille stalls (settings
    ``admin_apprise_urls``); `deadman_url`: fetched while all is healthy; `data_key` opens the
    sealed apprise URLs; `outbound`: where messages may go; `retention`: how long each kind of
    data is kept (applied hourly by this service); `mqtt_url` and `ha_discovery_prefix`: where
    each home's status is published for Home Assistant."""
    if not secret_key:
        print("veille alerts: VEILLE_SECRET_KEY is needed to sign action links")
        return 2
    if not data_key:
        print("veille alerts: VEILLE_DATA_KEY is needed to open the sealed apprise URLs")
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
        data_key=data_key,
        sender_workers=max(1, int(args.senders)),
        poll_s=float(args.poll_s),
        sender=SenderConfig(
            lease_s=lease_s,
            attempt_timeout_s=min(20.0, lease_s / 3),
            outbound=outbound or Outbound(),
        ),
        process_lease_s=float(args.process_lease_s),
        monitor=MonitorConfig(admin_urls=tuple(admin), deadman_url=deadman_url),
        retention=retention,
    )
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    publisher = None
    if mqtt_url and ha_discovery_prefix:
        # Each home's status on the household's own Home Assistant dashboard.
        publisher = threading.Thread(
            target=run_status_publisher,
            args=(database_url, mqtt_url, ha_discovery_prefix, topic_prefix, stop),
            name="ha-status",
            daemon=True,
        )
        publisher.start()
    run_alerts(config, clock_from_args(args), stop)
    if publisher is not None:
        publisher.join(10)
    return 0

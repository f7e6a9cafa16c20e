"""`veille ingest`: run the ingest service until interrupted."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from ingest import bench, devices_command
from ingest.service import ClientIdInUseError, IngestConfig, run_ingest

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = IngestConfig("", "")
    parser.add_argument("--client-id", default=defaults.client_id, help="fixed MQTT client id")
    parser.add_argument("--topic-prefix", default=defaults.topic_prefix)
    parser.add_argument("--z2m-base-topic", default=defaults.z2m_base_topic)
    parser.add_argument(
        "--ha-discovery-prefix",
        default=defaults.ha_discovery_prefix,
        help="Home Assistant MQTT discovery prefix to learn devices from ('' = off)",
    )
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--batch-ms", type=int, default=defaults.batch_ms)
    parser.add_argument(
        "--session-expiry-s",
        type=int,
        default=defaults.session_expiry_s,
        help="how long the broker keeps messages for a stopped ingest",
    )
    parser.add_argument(
        "--trust-device-time",
        action="store_true",
        help="keep payload timestamps however far from receipt (replays, warped simulations)",
    )
    parser.add_argument(
        "--pending-keep-hours",
        type=float,
        default=defaults.pending_keep_hours,
        help="keep events of unassigned devices this long, for when they are assigned",
    )
    parser.add_argument(
        "--share-group",
        default="",
        help="run several ingest processes: each joins this MQTT shared subscription group "
        "(give each its own --client-id)",
    )


def config_from_args(args: argparse.Namespace, database_url: str, mqtt_url: str) -> IngestConfig:
    return IngestConfig(
        database_url=database_url,
        mqtt_url=mqtt_url,
        client_id=args.client_id,
        topic_prefix=args.topic_prefix,
        z2m_base_topic=args.z2m_base_topic,
        ha_discovery_prefix=args.ha_discovery_prefix,
        batch_size=args.batch_size,
        batch_ms=args.batch_ms,
        session_expiry_s=args.session_expiry_s,
        share_group=args.share_group,
        pending_keep_hours=args.pending_keep_hours,
        trust_device_time=args.trust_device_time,
    )


def run(args: argparse.Namespace, database_url: str, mqtt_url: str) -> int:
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        log.info("signal %d: stopping after the current batch", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        run_ingest(config_from_args(args, database_url, mqtt_url), stop)
    except ClientIdInUseError as exc:
        log.error("%s", exc)
        return 3
    return 0


# `veille devices` and `veille bench ingest` live in their own modules; re-exported here so
# the composition root finds every ingest entry point in one place.
devices_add_arguments = devices_command.add_arguments
devices_run = devices_command.run
bench_add_arguments = bench.bench_add_arguments
bench_run = bench.bench_run

"""`veille devices decode`: what ingest makes of one message, for a person debugging a sensor.

One JSON line per reading (what would be stored, and whether it counts as activity), or one
line saying why the message would be ignored or dead-lettered. It decodes with the same
`Router` ingest uses, so the answer is ingest's, not a second opinion. Activity is decided as
for a device heard for the first time; ``--kind``/``--role`` give the registry's meaning of a
generic input, and ``--before TOPIC FILE`` feeds earlier messages first (a discovery config,
Zigbee2MQTT's bridge/devices) since some codecs learn from them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from devices.activity import ActivityTracker
from devices.codec import Router
from devices.signals import DecodeError, DeviceKind, Ignored, Message, Role
from devices.wiring import as_wired


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topic", required=True, help="the MQTT topic the payload came on")
    parser.add_argument("--retained", action="store_true", help="as a retained replay")
    parser.add_argument("--kind", choices=[k.value for k in DeviceKind], help="assigned kind")
    parser.add_argument("--role", default="", choices=[r.value for r in Role])
    parser.add_argument(
        "--before",
        nargs=2,
        action="append",
        default=[],
        metavar=("TOPIC", "FILE"),
        help="decode this message first (repeatable)",
    )


def decode_lines(router: Router, args: argparse.Namespace, payload: bytes) -> list[dict[str, Any]]:
    for topic, path in args.before:
        try:
            router.decode(topic, Path(path).read_bytes())
        except DecodeError as exc:
            return [{"topic": topic, "dead_letter": str(exc)}]
    try:
        decoded = router.decode(args.topic, payload)
    except DecodeError as exc:
        return [{"topic": args.topic, "dead_letter": str(exc)}]
    if isinstance(decoded, Ignored):
        return [{"topic": args.topic, "ignored": decoded.reason}]
    messages = (decoded,) if isinstance(decoded, Message) else decoded
    kind = DeviceKind(args.kind) if args.kind else None
    tracker = ActivityTracker()
    lines: list[dict[str, Any]] = []
    for message in messages:
        if not message.readings:
            line: dict[str, Any] = {"source": message.source, "readings": 0}
            lines.append(line | ({"meta": message.meta} if message.meta else {}))
        for reading in message.readings:
            if kind is not None:
                reading = as_wired(reading, kind, Role(args.role))
            activity = tracker.decide(("decode", message.source), reading, args.retained)
            line = {
                "source": message.source,
                "signal": reading.signal.value,
                "value": reading.value,
                "activity": activity,
                "stored": not args.retained,  # a replay updates state only
            }
            if reading.at is not None:
                line["at"] = reading.at.isoformat()
            if reading.detail:
                line["detail"] = reading.detail
            lines.append(line)
    return lines


def run(args: argparse.Namespace, router: Router) -> int:
    lines = decode_lines(router, args, sys.stdin.buffer.read())
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))
    return 1 if any("dead_letter" in line for line in lines) else 0

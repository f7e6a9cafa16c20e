"""`veille devices`: list devices and pending ones, assign a pending device, remove one.

Devices that publish before they are assigned are kept in `pending_devices` (never guessed
into a home); assigning one tells ingest which (home, device) its messages belong to.
"""

from __future__ import annotations

import argparse
from typing import Any

import psycopg

from devices.signals import DeviceKind, Role, Room
from ingest import decode_command
from ingest.namespace import NamespacedRouter
from storage import device_messages, device_status
from storage.homes import get_home, upsert_device


def add_arguments(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[Any]:
    """Add the actions; returns them, so the composition root can add its own."""
    actions = parser.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="devices with their health, then pending ones")
    listing.add_argument("--home", help="only this home")
    assign = actions.add_parser("assign", help="give a (pending) source a home and a role")
    assign.add_argument("source", help="e.g. z2m:kitchen/pir, shelly:<id>, tasmota:<topic>")
    assign.add_argument("--home", required=True)
    assign.add_argument("--device", required=True, help="device id within the home")
    assign.add_argument("--kind", required=True, choices=[k.value for k in DeviceKind])
    assign.add_argument("--room", required=True, choices=[r.value for r in Room])
    assign.add_argument("--role", default="", choices=[r.value for r in Role])
    remove = actions.add_parser("remove", help="forget a device, or a pending source")
    remove.add_argument("home_or_source", help="home id, or a pending source with --pending")
    remove.add_argument("device", nargs="?", help="device id")
    remove.add_argument("--pending", action="store_true", help="drop a pending source")
    explain = actions.add_parser(
        "explain", help="a registered device's last messages and what each became"
    )
    explain.add_argument("device", help="HOME/DEVICE, or the source it publishes as")
    decode = actions.add_parser(
        "decode", help="what ingest makes of one payload (read from stdin); no database needed"
    )
    decode_command.add_arguments(decode)
    for option, default in (
        ("--topic-prefix", "veille"),
        ("--z2m-base-topic", "zigbee2mqtt"),
        ("--ha-discovery-prefix", "homeassistant"),
    ):
        decode.add_argument(option, default=default)
    return actions


def run(args: argparse.Namespace, database_url: str, mqtt_url: str = "") -> int:
    if args.action == "decode":
        router = NamespacedRouter(
            args.topic_prefix, args.z2m_base_topic, ha_discovery_prefix=args.ha_discovery_prefix
        )
        return decode_command.run(args, router)
    with psycopg.connect(database_url, autocommit=True) as conn:
        if args.action == "list":
            return _list(conn, args.home)
        if args.action == "assign":
            return _assign(conn, args)
        if args.action == "explain":
            return _explain(conn, args.device)
        return _remove(conn, args)


def _list(conn: psycopg.Connection[tuple[object, ...]], home: str | None) -> int:
    print(
        f"{'home':<12} {'device':<16} {'kind':<11} {'room':<9} {'last seen':<20} "
        f"{'battery':>7} silence"
    )
    for d in device_status.list_states(conn, home):
        seen = d.last_seen_at.strftime("%Y-%m-%d %H:%M:%S") if d.last_seen_at else "never"
        battery = f"{d.battery_pct:.0f}%" if d.battery_pct is not None else "-"
        print(
            f"{d.home_id:<12} {d.device_id:<16} {d.kind:<11} {d.room:<9} {seen:<20} "
            f"{battery:>7} {d.silence or 'ok'}"
        )
    pending = device_status.list_pending(conn)
    if pending:
        print("\npending (publishing but not assigned: `veille devices assign SOURCE ...`):")
        for p in pending:
            print(
                f"  {p.source:<40} {p.model or '?':<14} {p.messages:>8} messages, "
                f"last {p.last_seen_at:%Y-%m-%d %H:%M:%S} on {p.last_topic}"
            )
            if p.suggested_kind or p.suggested_room:
                print(
                    f"    it announces itself as: kind {p.suggested_kind or '?'}, "
                    f"room {p.suggested_room or '?'} (assign to confirm)"
                )
    return 0


def _assign(conn: psycopg.Connection[tuple[object, ...]], args: argparse.Namespace) -> int:
    if get_home(conn, args.home) is None:
        print(f"no home {args.home!r}: create it first")
        return 2
    model = device_status.pending_model(conn, args.source) or ""
    upsert_device(
        conn,
        args.home,
        args.device,
        DeviceKind(args.kind),
        Room(args.room),
        Role(args.role),
        source=args.source,
        model=model,
    )
    print(f"{args.source} is now {args.home}/{args.device} ({args.kind}, {args.room})")
    return 0


def _explain(conn: psycopg.Connection[tuple[object, ...]], name: str) -> int:
    found = device_status.find_device(conn, name)
    if found is None:
        print(f"no registered device {name!r} (HOME/DEVICE or its source)")
        return 1
    home_id, device_id, source = found
    recent = device_messages.recent(conn, home_id, device_id)
    dead = device_messages.dead_letters_on(conn, sorted({m.topic for m in recent}))
    print(f"{home_id}/{device_id} ({source}): last {len(recent)} messages, newest first")
    for m in sorted(recent + dead, key=lambda m: m.received_at, reverse=True):
        print(f"  {m.received_at:%Y-%m-%d %H:%M:%S} {m.topic}\n    {m.payload[:300]}")
        print(f"    -> {m.outcome}")
    if not recent:
        print("  nothing heard since it was registered (or in the last 7 days)")
    return 0


def _remove(conn: psycopg.Connection[tuple[object, ...]], args: argparse.Namespace) -> int:
    if args.pending:
        found = device_status.drop_pending(conn, args.home_or_source)
    elif args.device:
        found = device_status.remove_device(conn, args.home_or_source, args.device)
    else:
        print("give HOME DEVICE, or SOURCE --pending")
        return 2
    print("removed" if found else "not found")
    return 0 if found else 1

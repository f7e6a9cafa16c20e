"""``veille privacy``: export or erase everything about a home, apply retention now."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from alerts.privacy import export_home
from alerts.vault import Vault
from storage.home_data import erase_home
from storage.retention import apply_retention
from veille import keys
from veille.settings import Settings, SettingsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    export = sub.add_parser("export", help="a zip of JSON and CSV files (GDPR art. 15, 20)")
    export.add_argument("home")
    export.add_argument("--out", type=Path, required=True, help="FILE.zip to write")
    erase = sub.add_parser("erase", help="delete everything about a home (GDPR art. 17)")
    erase.add_argument("home")
    erase.add_argument("--by", required=True, help="who erases (kept in the erasure stub)")
    sub.add_parser("retain", help="apply retention now (the alerts service does it hourly)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.database_url:
        raise SettingsError("VEILLE_DATABASE_URL is not set")
    now = datetime.now(UTC)
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        if args.action == "retain":
            print(json.dumps(asdict(apply_retention(conn, now, settings.retention))))
            return 0
        found = conn.execute("SELECT 1 FROM homes WHERE id = %s", (args.home,)).fetchone()
        if found is None:
            print(f"veille privacy: no home {args.home!r}", file=sys.stderr)
            return 1
        if args.action == "export":
            with args.out.open("wb") as out:
                done = export_home(conn, args.home, out, now, Vault(keys.data_key(settings)))
            print(f"{sum(done.rows.values())} rows from {len(done.rows)} tables -> {args.out}")
            return 0
        deleted = erase_home(conn, args.home, args.by, now)
        print(f"erased {args.home!r}: {sum(deleted.values())} rows; stub kept (when, by whom)")
        return 0

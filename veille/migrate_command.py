"""``veille migrate``: bring the database schema up to date."""

from __future__ import annotations

import argparse

from storage.migrate import migrate
from veille.settings import Settings, SettingsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", help="overrides VEILLE_DATABASE_URL")


def run(args: argparse.Namespace, settings: Settings) -> int:
    url = args.database_url or settings.database_url
    if not url:
        raise SettingsError("VEILLE_DATABASE_URL is not set")
    applied = migrate(url)
    print("applied: " + (", ".join(applied) if applied else "nothing (up to date)"))
    return 0

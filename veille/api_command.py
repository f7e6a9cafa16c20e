"""``veille api``: serve the web API with uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from alerts.outbound import Outbound
from api.app import ApiConfig, create_app
from api.log_masking import uvicorn_log_config
from veille import keys
from veille.settings import Settings, SettingsError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo-inbox",
        action="store_true",
        help="accept apprise json:// posts at /demo/inbox (the demo's phone)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.database_url:
        raise SettingsError("VEILLE_DATABASE_URL is not set")
    config = ApiConfig(
        settings.database_url,
        public_url=settings.effective_public_url,
        secret_key=settings.secret_key,
        data_key=keys.data_key(settings),
        outbound=Outbound.from_settings(settings.outbound_allow, settings.own_service_urls),
        demo_inbox=args.demo_inbox,
    )
    app = create_app(config)
    uvicorn.run(
        app,
        host=settings.api_host,
        port=settings.api_port,
        log_level=settings.log_level.lower(),
        log_config=uvicorn_log_config(),  # action tokens masked in the access log
    )
    return 0

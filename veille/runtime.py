"""Embedded defaults: the database and broker `veille up` starts when no URL is configured."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from broker.server import BrokerThread
from veille import embedded_db, mosquitto
from veille.mqtt_accounts import INGEST, SIMULATOR, AccountBook
from veille.settings import Settings

log = logging.getLogger(__name__)


def database(settings: Settings, stack: ExitStack) -> str:
    if settings.database_url:
        return settings.database_url
    return stack.enter_context(embedded_db.EmbeddedPostgres(settings.data_dir / "pgdata")).conninfo


@dataclass(frozen=True, slots=True)
class BrokerUrls:
    ingest: str  # reads every home
    simulator: str  # the demo's simulated homes publish with it


def broker(settings: Settings, stack: ExitStack) -> BrokerUrls:
    """Mosquitto when its binary is here (the reference broker), else the embedded one.

    The Mosquitto started here refuses anonymous clients like a production one: ingest and
    the demo's simulator get accounts of their own, provisioned as for any device."""
    if settings.mqtt_url:
        return BrokerUrls(settings.mqtt_url, settings.mqtt_url)
    if mosquitto.mosquitto_binary() is not None:
        book = AccountBook(settings.effective_mqtt_auth_dir, settings.topic_prefix)
        # New passwords at each start: they live only in this process tree's environment.
        logins = [book.add(role, username=f"veille-{role}") for role in (INGEST, SIMULATOR)]
        broker = mosquitto.Mosquitto(settings.data_dir / "mosquitto", auth=book)
        parts = urlsplit(stack.enter_context(broker).url)
        ingest, simulator = (
            urlunsplit(parts._replace(netloc=f"{a.username}:{password}@{parts.netloc}"))
            for a, password in logins
        )
        return BrokerUrls(ingest, simulator)
    log.warning("no mosquitto binary: the embedded broker accepts anonymous clients on loopback")
    embedded = stack.enter_context(BrokerThread("127.0.0.1", 0)).url
    return BrokerUrls(embedded, embedded)


def child_environment(settings: Settings) -> dict[str, str]:
    return {
        "VEILLE_DATABASE_URL": settings.database_url,
        "VEILLE_MQTT_URL": settings.mqtt_url,
        "VEILLE_SECRET_KEY": settings.secret_key,
        "VEILLE_DATA_KEY": settings.data_key,
        "VEILLE_OUTBOUND_ALLOW": settings.outbound_allow,
    }


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":****@")
    return urlunsplit(parts._replace(netloc=netloc))

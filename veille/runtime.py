"""Embedded defaults: the database and broker `veille up` starts when no URL is configured."""

from __future__ import annotations

from contextlib import ExitStack
from urllib.parse import urlsplit, urlunsplit

from broker.server import BrokerThread
from veille import embedded_db, mosquitto
from veille.settings import Settings


def database(settings: Settings, stack: ExitStack) -> str:
    if settings.database_url:
        return settings.database_url
    return stack.enter_context(embedded_db.EmbeddedPostgres(settings.data_dir / "pgdata")).conninfo


def broker(settings: Settings, stack: ExitStack) -> str:
    """Mosquitto when its binary is here (the reference broker), else the embedded one."""
    if settings.mqtt_url:
        return settings.mqtt_url
    if mosquitto.mosquitto_binary() is not None:
        return stack.enter_context(mosquitto.Mosquitto(settings.data_dir / "mosquitto")).url
    return stack.enter_context(BrokerThread("127.0.0.1", 0)).url


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

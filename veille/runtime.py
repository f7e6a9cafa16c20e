"""Embedded defaults: the database and broker `veille up` starts when no URL is configured."""

from __future__ import annotations

import secrets
from contextlib import ExitStack
from pathlib import Path
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


def secret_key(data_dir: Path) -> str:
    """A key kept in the data dir, so action links stay valid across restarts."""
    path = data_dir / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def child_environment(settings: Settings) -> dict[str, str]:
    return {
        "VEILLE_DATABASE_URL": settings.database_url,
        "VEILLE_MQTT_URL": settings.mqtt_url,
        "VEILLE_SECRET_KEY": settings.secret_key,
    }


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":****@")
    return urlunsplit(parts._replace(netloc=netloc))

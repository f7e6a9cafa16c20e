"""Every setting Veille reads, with its default and help, built from ``VEILLE_*`` variables.

Only the composition root (the ``veille`` command) reads the environment; everything else
receives a `Settings`. A test checks that the README documents every key listed here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from storage.retention import Retention

PREFIX = "VEILLE_"


class SettingsError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = ""
    mqtt_url: str = ""
    mqtt_auth_dir: Path = Path("")
    mqtt_device_url: str = ""
    data_dir: Path = Path(".veille")
    topic_prefix: str = "veille"
    z2m_base_topic: str = "zigbee2mqtt"
    ha_discovery_prefix: str = "homeassistant"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_url: str = ""
    secret_key: str = ""
    data_key: str = ""
    outbound_allow: str = ""
    ingest_client_id: str = "veille-ingest"
    ingest_batch_size: int = 5000
    ingest_batch_ms: int = 50
    ingest_share_group: str = ""
    pending_keep_hours: float = 72.0
    analytics_check_s: float = 10.0
    lease_s: float = 15.0
    admin_apprise_urls: str = ""
    deadman_url: str = ""
    retention_days: int = 400
    hourly_retention_days: int = 1825
    incident_retention_days: int = 730
    audit_retention_days: int = 730
    log_level: str = "INFO"
    demo_exit_after_s: float = 0.0
    demo_speed: float = 600.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(PREFIX + f.name.upper())
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, raw, type(getattr(cls(), f.name)))
        return cls(**values)  # type: ignore[arg-type]

    @property
    def effective_mqtt_auth_dir(self) -> Path:
        return (
            self.mqtt_auth_dir
            if str(self.mqtt_auth_dir) not in ("", ".")
            else (self.data_dir / "mqtt-auth")
        )

    @property
    def effective_public_url(self) -> str:
        return self.public_url or f"http://{self.api_host}:{self.api_port}"

    @property
    def retention(self) -> Retention:
        return Retention(
            self.retention_days,
            self.hourly_retention_days,
            self.incident_retention_days,
            self.audit_retention_days,
        )

    @property
    def own_service_urls(self) -> tuple[str, ...]:
        """The instance's own services, which contacts' URLs may never target."""
        return (self.database_url, self.mqtt_url, self.effective_public_url)


def _parse(name: str, raw: str, kind: type) -> object:
    try:
        if kind is bool:
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return kind(raw)
    except ValueError:
        raise SettingsError(
            f"{PREFIX}{name.upper()}={raw!r} is not a valid {kind.__name__}"
        ) from None


HELP: dict[str, str] = {
    "database_url": "PostgreSQL/TimescaleDB URL. Empty: an embedded PostgreSQL in the data dir.",
    "mqtt_url": "Broker URL (mqtt://host:port). Empty: start Mosquitto if on PATH, else the "
    "embedded broker.",
    "mqtt_auth_dir": "Mosquitto's passwd, acl and pid files, written by `veille devices "
    "provision`. Empty: <data_dir>/mqtt-auth.",
    "mqtt_device_url": "Broker address printed for devices by `veille devices provision` "
    "(mqtts://host:8883). Empty: VEILLE_MQTT_URL.",
    "data_dir": "Where embedded services keep their files.",
    "topic_prefix": "Root of Veille's native topic scheme (<prefix>/v1/<home>/<device>).",
    "z2m_base_topic": "Zigbee2MQTT's mqtt.base_topic.",
    "ha_discovery_prefix": "Home Assistant MQTT discovery prefix read (and published to); "
    "empty turns discovery off.",
    "api_host": "Address the web API listens on.",
    "api_port": "Port the web API listens on.",
    "public_url": "Base URL people's phones use for action links. Empty: http://api_host:api_port.",
    "secret_key": "Key that signs one-tap action links. Empty: generated into the data dir.",
    "data_key": "Key that encrypts contacts' apprise URLs at rest. Empty: generated into the "
    "data dir (set it when services run on several machines).",
    "outbound_allow": "Space-separated host or host:port that contacts' apprise URLs may reach "
    "although private or local (a local ntfy or SMTP relay).",
    "ingest_client_id": "Fixed MQTT client id of ingest, so its persistent session survives "
    "restarts.",
    "ingest_batch_size": "Most events ingest writes in one COPY.",
    "ingest_batch_ms": "Longest an event waits before its batch is written.",
    "ingest_share_group": "MQTT shared subscription group, to run several ingest processes.",
    "pending_keep_hours": "Events of devices not yet assigned to a home are kept this long, "
    "and attached to the home when the device is assigned.",
    "analytics_check_s": "How often (wall-clock seconds) the detector checks every home.",
    "lease_s": "Seconds a detector's homes and a sender's messages stay with it once it stops "
    "renewing them (it died); then another process takes them over.",
    "admin_apprise_urls": "Space-separated apprise URLs told when Veille itself stalls.",
    "deadman_url": "URL pinged while all is healthy (an external dead-man switch).",
    "retention_days": "Raw events older than this are dropped.",
    "hourly_retention_days": "Hourly activity aggregates older than this are dropped.",
    "incident_retention_days": "Resolved incidents (with their timeline and messages) older "
    "than this are deleted.",
    "audit_retention_days": "Audit log entries older than this are deleted.",
    "log_level": "Python logging level.",
    "demo_exit_after_s": "`veille up --demo` stops after this many seconds (0: run until Ctrl-C).",
    "demo_speed": "Simulated seconds per real second in the demo.",
}


def env_names() -> list[str]:
    return [PREFIX + f.name.upper() for f in fields(Settings)]

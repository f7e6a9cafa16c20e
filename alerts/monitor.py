"""Monitor the monitor: tell administrators when Veille itself stops watching.

Checked every `check_s` on the wall clock: ingest hearing nothing from any device, a
service whose heartbeat went stale, messages waiting for their first attempt too long
(sender stalled), an incident alerts has not started on (engine stalled). Administrators
are told once when a problem appears and once when it clears, straight through apprise:
the outbox may be the very thing that is stuck. While all is well an optional dead-man
URL is fetched, so an outside service notices when this process dies altogether.
"""

from __future__ import annotations

import logging
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from alerts.delivery import deliver
from devices.clock import Clock
from storage import heartbeats, outbox

log = logging.getLogger("veille.alerts.monitor")

MONITOR = "alerts-monitor"


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    admin_urls: tuple[str, ...] = ()
    deadman_url: str = ""
    check_s: float = 30.0
    ingest_silence: timedelta = timedelta(minutes=60)
    stall: timedelta = timedelta(minutes=3)


@dataclass(frozen=True, slots=True)
class Health:
    devices: int
    last_device_seen: datetime | None
    beats: dict[str, datetime]
    oldest_pending: datetime | None
    unseen_incident_since: datetime | None


def problems(health: Health, now: datetime, config: MonitorConfig) -> dict[str, str]:
    """Alarm name -> what is wrong (pure)."""
    found: dict[str, str] = {}
    silent = health.last_device_seen is None or now - health.last_device_seen > (
        config.ingest_silence
    )
    if health.devices and silent:
        found["ingest_silent"] = (
            f"no sensor data from any home for over {_minutes(config.ingest_silence)}"
        )
    for service, at in sorted(health.beats.items()):
        if service != MONITOR and now - at > config.stall:
            found[f"{service}_stalled"] = f"{service} has not reported since {at:%H:%M} UTC"
    if health.oldest_pending is not None and now - health.oldest_pending > config.stall:
        found["sender_stalled"] = (
            f"alert messages wait for delivery since {health.oldest_pending:%H:%M} UTC"
        )
    if health.unseen_incident_since is not None and (
        now - health.unseen_incident_since > config.stall
    ):
        found["engine_stalled"] = (
            f"an incident opened at {health.unseen_incident_since:%H:%M} UTC is not escalated"
        )
    return found


class Monitor:
    def __init__(
        self, conn: psycopg.Connection[tuple[object, ...]], clock: Clock, config: MonitorConfig
    ) -> None:
        self._conn = conn
        self._clock = clock
        self._config = config

    def health(self) -> Health:
        devices, seen = heartbeats.last_device_seen(self._conn)
        return Health(
            devices,
            seen,
            heartbeats.last_beats(self._conn),
            outbox.oldest_pending_at(self._conn),
            heartbeats.unseen_incident_since(self._conn),
        )

    def run_once(self) -> dict[str, str]:
        """Check, tell administrators about changes, ping the dead man; return the problems."""
        now = self._clock.now()
        found = problems(self.health(), now, self._config)
        raised = heartbeats.raised_alarms(self._conn)
        for name, detail in found.items():
            if name not in raised and self._tell(f"Veille problem: {detail}", name, now):
                heartbeats.raise_alarm(self._conn, name, now, detail)
        for name, detail in raised.items():
            if name not in found and self._tell(f"Veille recovered: {detail}", name, now):
                heartbeats.clear_alarm(self._conn, name)
        if not found and self._config.deadman_url:
            self._ping()
        heartbeats.beat(self._conn, MONITOR, now)
        return found

    def _tell(self, text: str, name: str, now: datetime) -> bool:
        """Try each administrator URL in turn; with none configured, only log."""
        log.warning(text)
        if not self._config.admin_urls:
            return True
        ref = f"veille-{name}-{int(now.timestamp())}"
        for url in self._config.admin_urls:
            outcome = deliver(url, text, text, "failure", ref, 20.0)
            if outcome.ok:
                return True
            log.warning(
                "could not tell administrators via %s: %s", outcome.masked_url, outcome.detail
            )
        return False  # try again at the next check

    def _ping(self) -> None:
        try:
            with urllib.request.urlopen(self._config.deadman_url, timeout=10) as response:
                response.read()
        except OSError as err:
            log.warning("dead-man ping failed: %s", err)


def _minutes(span: timedelta) -> str:
    return f"{span.total_seconds() / 60:g} min"

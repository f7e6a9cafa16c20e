"""The demo: one simulated home, time-warped, watched until an alert reaches its phone.

The simulator and the detector share one warped clock (the same simulated start, wall-clock
anchor and speed), so a day of life passes in minutes. Alerts and the API stay on the wall
clock: escalation is about people, so its steps (10 min to claim, ...) keep a human pace.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from alerts.masking import masked_sealed
from alerts.vault import Vault
from api.accounts import add_user
from api.credentials import hash_password, new_secret
from simulators.layout import standard_layout
from storage import accounts, contacts, events, incidents, outbox
from veille.registration import register_layout
from veille.settings import Settings

HOME_ID = "demo"
TIMEZONE = "Europe/Paris"
HISTORY_DAYS = 14  # a week of routine first, so the model has something of its own
FALL_AFTER = "+2h"  # simulated time after the live start at which the resident falls
START_DELAY = timedelta(seconds=20)  # wall time for services to start and ingest history
HISTORY_TIMEOUT_S = 60.0
DEMO_EMAIL = "claire@demo.invalid"  # the daughter, family manager of the demo home


@dataclass(frozen=True, slots=True)
class Plan:
    sim_start: datetime
    anchor: datetime
    speed: float
    topic_prefix: str

    def arguments(self, service: str) -> list[str]:
        clock = [
            "--warp-start", self.sim_start.isoformat(),
            "--warp-anchor", self.anchor.isoformat(),
            "--warp-speed", str(self.speed),
        ]  # fmt: skip
        if service == "simulate":
            return [
                "--home", HOME_ID, "--seed", "7", "--timezone", TIMEZONE,
                "--start", self.sim_start.isoformat(), "--anchor", self.anchor.isoformat(),
                "--speed", str(self.speed), "--history-days", str(HISTORY_DAYS), "--days", "1",
                "--scenario", f"fall@{FALL_AFTER}", "--prefix", self.topic_prefix,
                "--client-id", "veille-demo-simulator",
            ]  # fmt: skip
        if service == "analytics":
            return [*clock, "--check-s", "1"]
        if service == "ingest":
            return ["--trust-device-time"]
        if service == "api":
            return ["--demo-inbox"]
        return []


def inbox_settings(settings: Settings) -> Settings:
    """The settings with the demo's phone (the API's inbox, on this machine) allowed as an
    outbound target, as an operator would allow a local relay."""
    inbox = f"{settings.api_host}:{settings.api_port}"
    return replace(settings, outbound_allow=f"{settings.outbound_allow} {inbox}".strip())


def prepare(settings: Settings, wall_now: datetime | None = None) -> Plan:
    """Register the demo home, its devices and a family member whose phone is the API inbox."""
    now = wall_now or datetime.now(UTC)
    zone = ZoneInfo(TIMEZONE)
    # Start the live part at 08:00 local today, so the fall happens in daytime whatever the hour.
    sim_start = now.astimezone(zone).replace(hour=8, minute=0, second=0, microsecond=0)
    layout = replace(standard_layout(HOME_ID, TIMEZONE), name="Demo: Jeanne, 84, lives alone")
    inbox = f"json://{settings.api_host}:{settings.api_port}/demo/inbox"
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        register_layout(conn, layout)
        if not contacts.list_contacts(conn, HOME_ID):
            contacts.add_contact(
                conn,
                contacts.NewContact(
                    HOME_ID, "Claire (daughter)", "family", [Vault(settings.data_key).seal(inbox)]
                ),
            )
        password = _demo_account(conn)
    print(
        f"Demo account: sign in with POST /auth/login as {DEMO_EMAIL}, password {password}"
        " (new each run)",
        flush=True,
    )
    return Plan(sim_start, now + START_DELAY, settings.demo_speed, settings.topic_prefix)


def _demo_account(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    """The demo family's account, with a new password each run (only its hash is kept)."""
    password = new_secret()[:16]
    user = accounts.user_by_email(conn, DEMO_EMAIL)
    if user is None:
        add_user(conn, DEMO_EMAIL, "family_manager", home_id=HOME_ID, password=password,
                 display_name="Claire", language="fr")  # fmt: skip
    else:
        accounts.set_password_hash(conn, user.id, hash_password(password))
    return password


def wait_for_history(database_url: str, plan: Plan, stop: threading.Event) -> None:
    """Until the stored events reach the live start (or `HISTORY_TIMEOUT_S` passes)."""
    deadline = time.monotonic() + HISTORY_TIMEOUT_S
    target = plan.sim_start - timedelta(minutes=30)
    with psycopg.connect(database_url, autocommit=True) as conn:
        while not stop.wait(0.5) and time.monotonic() < deadline:
            latest = events.latest_event_at(conn, HOME_ID)
            if latest is not None and latest >= target:
                return


@dataclass
class Watcher:
    """Prints what a newcomer should see: events stored, an incident, a delivered alert."""

    database_url: str
    vault: Vault
    events: int = 0
    incidents_seen: set[int] = field(default_factory=set)
    delivered: set[int] = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)
    _conn: psycopg.Connection[tuple[object, ...]] | None = field(default=None, repr=False)

    def report(self) -> None:
        """Print what is new; a database hiccup only skips this round."""
        try:
            if self._conn is None or self._conn.closed:
                self._conn = psycopg.connect(self.database_url, autocommit=True)
            self._report(self._conn)
        except psycopg.OperationalError:
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _report(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        count = events.count_events(conn, HOME_ID)
        if count // 5000 > self.events // 5000 or (count and not self.events):
            self._say(f"{count} sensor events stored for home {HOME_ID!r}")
        self.events = count
        for incident in incidents.list_incidents(conn, HOME_ID):
            if incident.id not in self.incidents_seen:
                self.incidents_seen.add(incident.id)
                self._say(
                    f"incident #{incident.id} opened ({incident.kind}, {incident.severity}): "
                    + incident.explanation
                )
            for message in outbox.list_messages(conn, incident.id):
                if message.sent_at is not None and message.id not in self.delivered:
                    self.delivered.add(message.id)
                    url = masked_sealed(self.vault, message.urls[message.sent_url or 0])
                    self._say(
                        f"alert delivered ({message.purpose}) for incident #{incident.id}"
                        f" via {url}: {message.title}"
                    )

    def _say(self, text: str) -> None:
        print(f"[demo +{time.monotonic() - self.started:.0f} s] {text}", flush=True)

    def exit_code(self) -> int:
        return 0 if self.incidents_seen and self.delivered else 1

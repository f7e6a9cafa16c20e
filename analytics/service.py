"""The live detector: reads new events from storage, feeds each home's engine, opens and
resolves incidents. I/O lives here; the decisions are the engine's.

`run_analytics` is what `veille up` and `veille analytics` run in a thread.
"""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from collections import OrderedDict, deque
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, TypeVar

import psycopg

from analytics.deadlines import DeadlineTable
from analytics.decision import Clear, Decision, Flag
from analytics.engine import HomeDetector
from analytics.health import DeviceHealth, assess
from analytics.home import HomeConfig, Observation, Sensor
from analytics.routine import RoutineModel
from devices.clock import Clock, WarpedClock
from devices.signals import DeviceKind, Role, Room, Signal
from storage import heartbeats, incidents, leases, readings

log = logging.getLogger(__name__)
Conn = psycopg.Connection[tuple[object, ...]]

WARM_UP = timedelta(hours=36)  # events replayed at start to rebuild each home's present
REFRESH_EVERY = timedelta(seconds=60)  # wall time between reloads of homes and feedback
SAVE_EVERY = timedelta(minutes=5)
DEFAULT_LEASE = timedelta(seconds=15)
# Lease scopes: each home is watched by one detector; each live detector says it lives.
HOME_SCOPE, HOLDER_SCOPE = "analytics", "analytics-holder"


class AnalyticsSettings(Protocol):
    @property
    def database_url(self) -> str: ...

    @property
    def analytics_check_s(self) -> float: ...

    @property
    def lease_s(self) -> float: ...


def run_analytics(config: AnalyticsSettings, clock: Clock, stop: threading.Event) -> None:
    """Run the detector until `stop` is set; checks at least every `analytics_check_s`.
    Several may run at once: they share the homes by lease (`lease_s`)."""
    with psycopg.connect(config.database_url, autocommit=True) as conn:
        service = Analytics(conn, clock, lease=timedelta(seconds=config.lease_s))
        service.start()
        try:
            while not stop.is_set():
                service.step()
                stop.wait(min(service.wait_s(config.analytics_check_s), config.lease_s / 3))
        finally:
            service.stop()


E = TypeVar("E", DeviceKind, Room, Role)


def _enum(kind: type[E], value: str, default: E) -> E:
    try:
        return kind(value)
    except ValueError:
        return default


class Analytics:
    def __init__(
        self, conn: Conn, clock: Clock, lease: timedelta = DEFAULT_LEASE, holder: str = ""
    ) -> None:
        self.conn, self.clock, self.lease = conn, clock, lease
        self.holder = holder or f"analytics-{socket.gethostname()}-{uuid.uuid4().hex[:8]}"
        self.configs: dict[str, HomeConfig] = {}  # every home
        self.detectors: dict[str, HomeDetector] = {}  # the homes this process holds
        self.incident_ids: dict[tuple[str, str], int] = {}
        self.table = DeadlineTable()
        self.cursor = datetime(2000, 1, 1, tzinfo=UTC)
        self._seen: OrderedDict[tuple[object, ...], None] = OrderedDict()
        self._wall = datetime.now(UTC)  # only for pacing reloads and saves, never for rules
        self._refreshed = self._saved = self._renewed = self._wall
        self._days_saved: dict[str, date] = {}

    # -- set-up ----------------------------------------------------------------------------
    def start(self) -> None:
        row = self.conn.execute("SELECT max(received_at) FROM events").fetchone()
        if row is not None and isinstance(row[0], datetime):
            self.cursor = row[0]
        self.refresh_homes()
        self.incident_ids = readings.open_incident_ids(self.conn)
        self.renew_leases()
        self.check_devices()

    def stop(self) -> None:
        """Save, then hand every home back at once: another detector need not wait."""
        self.save()
        leases.release(self.conn, HOME_SCOPE, self.holder)
        leases.release(self.conn, HOLDER_SCOPE, self.holder)

    def renew_leases(self) -> None:
        """Keep this process's homes, take its fair share of free or expired ones, and give
        back what is over that share (a detector that started later takes it)."""
        wall = datetime.now(UTC)
        self._renewed = wall
        until = wall + self.lease
        leases.hold(self.conn, HOLDER_SCOPE, [self.holder], self.holder, wall, until)
        share = -(-len(self.configs) // max(1, leases.live_holders(self.conn, HOLDER_SCOPE, wall)))
        held = leases.hold(self.conn, HOME_SCOPE, sorted(self.detectors), self.holder, wall, until)
        if len(held) < share:
            free = leases.free(self.conn, HOME_SCOPE, sorted(set(self.configs) - held), wall)
            held |= leases.hold(
                self.conn, HOME_SCOPE, free[: share - len(held)], self.holder, wall, until
            )
        over = sorted(held)[share:]
        if over:
            self.save(over)
            leases.release(self.conn, HOME_SCOPE, self.holder, over)
            held -= set(over)
        for home_id in set(self.detectors) - held:
            log.info("home %s: handed over", home_id)
            self.detectors.pop(home_id)
            self.table.set(home_id, None)
        gained = held - set(self.detectors)
        if gained:
            models = {m.home_id: m for m in readings.load_models(self.conn)}
            for home_id in sorted(gained):
                self.detectors[home_id] = HomeDetector(self.configs[home_id])
                self.resume(home_id, models.get(home_id))

    def resume(self, home_id: str, saved: readings.ModelRow | None) -> None:
        """Rebuild a home's present from its recent events, exactly as it was.

        Each incident is put back at its opening, between the events around it: activity
        from before an incident cannot clear it, and a silence already flagged (even one a
        person has closed since) is not flagged again."""
        detector = self.detectors[home_id]
        if saved is not None:
            detector.model = RoutineModel.from_bytes(saved.model)
            detector.learn_after = saved.learned_until
        since = self.clock.now() - WARM_UP
        marks = deque(readings.incident_marks(self.conn, home_id, since))
        for event in readings.read_recent_events(self.conn, home_id, since):
            while marks and marks[0].opened_at <= event.at:
                mark = marks.popleft()
                detector.adopt_open(mark.kind, mark.opened_at)
            self._seen[_key(event)] = None  # the live loop re-reads a recent overlap
            # What resumed after an opening may resolve it; nothing old re-opens.
            decisions = detector.observe(_observation(event))
            self._apply(home_id, [d for d in decisions if isinstance(d, Clear)])
        for mark in marks:
            detector.adopt_open(mark.kind, mark.opened_at)
        self.table.set(home_id, detector.next_deadline())

    def refresh_homes(self) -> None:
        devices: dict[str, dict[str, Sensor]] = {}
        for d in readings.list_device_rows(self.conn):
            devices.setdefault(d.home_id, {})[d.device_id] = Sensor(
                d.device_id,
                _enum(DeviceKind, d.kind, DeviceKind.OTHER),
                _enum(Room, d.room, Room.OTHER),
                _enum(Role, d.role, Role.NONE),
            )
        for home in readings.list_home_settings(self.conn):
            config = HomeConfig(
                home.id, home.timezone, devices.get(home.id, {}), home.sensitivity, home.away_until
            )
            self.configs[home.id] = config
            detector = self.detectors.get(home.id)
            if detector is not None:
                detector.config = config
            self.table.pause(home.id, home.away_until)

    # -- the loop --------------------------------------------------------------------------
    def step(self) -> None:
        """Read new events, feed them, then check every home whose deadline has passed."""
        wall = datetime.now(UTC)
        if wall - self._renewed >= self.lease / 3:
            self.renew_leases()
        if wall - self._refreshed >= REFRESH_EVERY:
            self._refreshed = wall
            heartbeats.beat(self.conn, "analytics", wall)  # wall time: process liveness
            self.refresh_homes()
            self.sync_incidents()
            self.apply_feedback()
            self.check_devices()
        self.read_new_events()
        self.check()
        if wall - self._saved >= SAVE_EVERY:
            self._saved = wall
            self.save()

    def read_new_events(self) -> None:
        for event in readings.read_events(self.conn, self.cursor):
            key = _key(event)
            self.cursor = max(self.cursor, event.received_at)
            if key in self._seen:
                continue
            self._seen[key] = None
            detector = self.detectors.get(event.home_id)
            if detector is None:
                continue
            self._apply(event.home_id, detector.observe(_observation(event)))
            self.table.set(event.home_id, detector.next_deadline())
            self._save_days(event.home_id, detector)
        while len(self._seen) > 200_000:
            self._seen.popitem(last=False)

    def check(self) -> None:
        now = self.clock.now()
        due = set(self.table.due(now))
        due |= {h for (h, kind) in self.incident_ids if kind == "monitoring_lost"}
        due.intersection_update(self.detectors)
        devices = self._device_health() if due else {}  # one read for all due homes
        for home_id in sorted(due):
            detector = self.detectors[home_id]
            health = assess(devices.get(home_id, []), now, detector.state.last_at)
            self._apply(home_id, detector.check(now, health))
            self.table.set(home_id, detector.next_deadline())

    def check_devices(self) -> None:
        now = self.clock.now()
        by_home = self._device_health()
        for home_id, detector in self.detectors.items():
            health = assess(by_home.get(home_id, []), now, detector.state.last_at)
            self._apply(home_id, detector.check_devices(now, health))

    def wait_s(self, check_s: float) -> float:
        """Wall seconds until the next check: `check_s`, or sooner if a deadline is nearer."""
        earliest = self.table.earliest()
        if earliest is None:
            return check_s
        ahead = (earliest - self.clock.now()).total_seconds()
        if isinstance(self.clock, WarpedClock):
            ahead /= self.clock.speed
        return min(check_s, max(0.05, ahead))

    def sync_incidents(self) -> None:
        """Forget incidents a person has closed. The detector still counts the episode as
        flagged until its condition clears: one message per episode."""
        self.incident_ids = readings.open_incident_ids(self.conn)

    def apply_feedback(self) -> None:
        for row in readings.pending_feedback(self.conn):
            detector = self.detectors.get(row.home_id)
            if detector is not None:  # another detector's home: that detector applies it
                detector.feedback(row.kind, row.outcome, row.details)
                readings.mark_feedback_applied(self.conn, row, self.clock.now())

    def save(self, home_ids: list[str] | None = None) -> None:
        for home_id in self.detectors if home_ids is None else home_ids:
            detector = self.detectors[home_id]
            if detector.state.last_at is not None:
                readings.save_model(
                    self.conn, home_id, detector.model.to_bytes(), detector.state.last_at
                )

    def _save_days(self, home_id: str, detector: HomeDetector) -> None:
        """Completed local days go to `daily_features` for the weekly summary."""
        saved = self._days_saved.get(home_id)
        for day in detector.days:
            if saved is None or day.day > saved:
                readings.save_daily_features(self.conn, home_id, day.day, day.features())
                saved = day.day
        if saved is not None:
            self._days_saved[home_id] = saved

    # -- effects ---------------------------------------------------------------------------
    def _device_health(self) -> dict[str, list[DeviceHealth]]:
        """Every home's device health, by home."""
        by_home: dict[str, list[DeviceHealth]] = {}
        for row in readings.list_device_rows(self.conn):
            by_home.setdefault(row.home_id, []).append(_health(row))
        return by_home

    def _apply(self, home_id: str, decisions: list[Decision]) -> None:
        for decision in decisions:
            key = (home_id, decision.kind)
            if isinstance(decision, Flag):
                incident_id = incidents.open_incident(
                    self.conn,
                    home_id,
                    decision.kind,
                    decision.at,
                    decision.explanation,
                    decision.severity,
                    decision.details,
                )
                if incident_id is not None:
                    self.incident_ids[key] = incident_id
                    log.info("home %s: %s opened: %s", home_id, decision.kind, decision.explanation)
            elif isinstance(decision, Clear) and key in self.incident_ids:
                incident_id = self.incident_ids.pop(key)
                details = decision.details | {"resolution": decision.explanation}
                readings.add_incident_details(self.conn, incident_id, details)
                incidents.resolve_incident(self.conn, incident_id, decision.at, "auto_resolved")


def _health(row: readings.DeviceRow) -> DeviceHealth:
    return DeviceHealth(
        row.device_id,
        row.last_seen_at,
        row.last_activity_at,
        row.battery_pct,
        row.available,
        row.silence,
    )


def _key(event: readings.EventRow) -> tuple[object, ...]:
    return (event.received_at, event.at, event.home_id, event.device_id, event.signal)


def _observation(event: readings.EventRow) -> Observation:
    try:
        signal = Signal(event.signal)
    except ValueError:
        signal = Signal.VIBRATION
    return Observation(event.at, event.device_id, signal, event.value, event.activity)

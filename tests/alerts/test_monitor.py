from __future__ import annotations

from datetime import datetime, timedelta

import psycopg

from alerts.monitor import Health, Monitor, MonitorConfig, problems
from alerts.receiver import Receiver
from devices.clock import ManualClock
from devices.signals import DeviceKind, Room
from storage import heartbeats, homes, outbox
from tests.alerts.conftest import HOME, START, VAULT

Conn = psycopg.Connection[tuple[object, ...]]
CONFIG = MonitorConfig()
HEALTHY = Health(3, START, {"analytics": START}, None, None)


def test_a_healthy_system_has_no_problems() -> None:
    assert problems(HEALTHY, START + timedelta(minutes=2), CONFIG) == {}


def test_each_kind_of_stall_is_named() -> None:
    later = START + timedelta(minutes=61)
    sick = Health(3, START, {"analytics": START, "alerts-monitor": START}, START, START)

    assert sorted(problems(sick, later, CONFIG)) == [
        "analytics_stalled",
        "engine_stalled",
        "ingest_silent",
        "sender_stalled",
    ]


def test_no_devices_yet_is_not_silence() -> None:
    empty = Health(0, None, {}, None, None)

    assert problems(empty, START + timedelta(days=3), CONFIG) == {}


def _seen(conn: Conn, at: datetime, device_clock_late: timedelta = timedelta(0)) -> None:
    """Ingest heard the device at `at`; the device stamped it `device_clock_late` earlier."""
    conn.execute(
        "INSERT INTO device_status (home_id, device_id, last_seen_at, received_at)"
        " VALUES (%s, 'pir', %s, %s) ON CONFLICT (home_id, device_id) DO UPDATE SET"
        " last_seen_at = EXCLUDED.last_seen_at, received_at = EXCLUDED.received_at",
        (HOME, at - device_clock_late, at),
    )


def test_a_device_with_a_late_clock_is_still_heard(conn: Conn, clock: ManualClock) -> None:
    homes.upsert_device(conn, HOME, "pir", DeviceKind.MOTION, Room.KITCHEN)
    clock.set(START + timedelta(hours=5))
    _seen(conn, clock.now(), device_clock_late=timedelta(hours=3))
    assert Monitor(conn, clock, MonitorConfig()).run_once() == {}


def test_administrators_hear_once_when_ingest_goes_silent_and_once_when_it_recovers(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    homes.upsert_device(conn, HOME, "pir", DeviceKind.MOTION, Room.KITCHEN)
    _seen(conn, START)
    config = MonitorConfig(admin_urls=(receiver.url("fail/admin"), receiver.url("admin")))
    monitor = Monitor(conn, clock, config)

    clock.set(START + timedelta(minutes=90))
    assert list(monitor.run_once()) == ["ingest_silent"]
    monitor.run_once()
    _seen(conn, clock.now())
    assert monitor.run_once() == {}
    monitor.run_once()

    titles = [r.body["title"] for r in receiver.received()]
    assert titles == [
        "Veille problem: no sensor data from any home for over 60 min",
        "Veille recovered: no sensor data from any home for over 60 min",
    ]
    assert heartbeats.raised_alarms(conn) == {}


def test_undelivered_messages_raise_a_sender_alarm(conn: Conn, clock: ManualClock) -> None:
    outbox.enqueue(
        conn, [outbox.NewMessage(None, None, "test", [VAULT.seal("json://x")], "t", "b")], START
    )
    monitor = Monitor(conn, clock, MonitorConfig())

    clock.set(START + timedelta(minutes=2))
    assert monitor.run_once() == {}
    clock.set(START + timedelta(minutes=4))
    assert list(monitor.run_once()) == ["sender_stalled"]
    assert list(heartbeats.raised_alarms(conn)) == ["sender_stalled"]


def test_the_dead_man_url_is_pinged_only_while_healthy(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    monitor = Monitor(conn, clock, MonitorConfig(deadman_url=f"http://{receiver.url()[7:]}"))

    monitor.run_once()
    heartbeats.beat(conn, "analytics", START)
    clock.set(START + timedelta(minutes=10))
    monitor.run_once()  # analytics stalled: no ping

    assert [r.path for r in receiver.received()] == ["/inbox"]

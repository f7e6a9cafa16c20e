"""Failover with real processes: two `veille analytics` and two `veille alerts` against one
database; one of each is killed with SIGKILL while the escalations are under way."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from alerts.receiver import Receiver
from devices.signals import DeviceKind, Room
from storage import contacts, device_status, events, homes
from tests.alerts.conftest import DATA_KEY, VAULT
from tests.waiting import wait_until

Conn = psycopg.Connection[tuple[object, ...]]
ROOT = Path(__file__).resolve().parents[1]
HOMES = 8
LEASE_S = 3.0
TAKEOVER_S = 30.0  # what the issue asks: a dead process's homes are someone's again by then


@contextmanager
def _veille(db_url: str, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "VEILLE_DATABASE_URL": db_url,
        "VEILLE_SECRET_KEY": "failover-secret",
        "VEILLE_DATA_KEY": DATA_KEY,
        # The test's receiver is on this machine: allowed by name, as an operator would.
        "VEILLE_OUTBOUND_ALLOW": "127.0.0.1",
        "VEILLE_LEASE_S": str(LEASE_S),
        "VEILLE_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "veille", *args]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _silent_homes(conn: Conn, url: str, now: datetime) -> None:
    """Homes busy for an hour 20 h ago and quiet since, with sensors that still report."""
    for n in range(HOMES):
        home = f"f{n}"
        homes.upsert_home(conn, home, "Europe/London", f"Mrs {n}")
        homes.upsert_device(conn, home, "pir-a", DeviceKind.MOTION, Room.LIVING)
        homes.upsert_device(conn, home, "pir-b", DeviceKind.MOTION, Room.KITCHEN)
        contacts.add_contact(conn, contacts.NewContact(home, "Family", "family", [VAULT.seal(url)]))
        busy = now - timedelta(hours=20)
        events.copy_events(
            conn,
            [
                (
                    busy + timedelta(minutes=m),
                    home,
                    "pir-a" if m % 8 else "pir-b",
                    "motion",
                    1.0,
                    True,
                    busy + timedelta(minutes=m),
                    "",
                    None,
                    False,
                )
                for m in range(0, 60, 4)
            ],
        )
        device_status.prepare_staging(conn)
        with conn.transaction():
            rows = [(home, d, now, None, 80.0, 120.0, True) for d in ("pir-a", "pir-b")]
            device_status.upsert_status(conn, rows, now)


def _count(conn: Conn, query: str) -> int:
    row = conn.execute(query).fetchone()
    return int(str(row[0])) if row is not None else 0


@pytest.mark.slow
def test_two_of_each_one_killed_mid_escalation(db_url: str) -> None:
    analytics = ("analytics", "--check-s", "0.5")
    alerts = ("alerts", "--senders", "2", "--poll-s", "0.2", "--lease-s", "60")
    with (
        Receiver(delay_s=0.3) as phone,  # slow enough that the kill lands mid-request
        psycopg.connect(db_url, autocommit=True) as conn,
        ExitStack() as processes,
    ):
        _silent_homes(conn, phone.url(), datetime.now(UTC))
        doomed_detector = processes.enter_context(_veille(db_url, *analytics))
        processes.enter_context(_veille(db_url, *analytics))
        doomed_sender = processes.enter_context(_veille(db_url, *alerts))
        processes.enter_context(_veille(db_url, *alerts))
        wait_until(lambda: len(phone.received()) >= 2, 60, "the first deliveries")
        doomed_detector.kill()
        doomed_sender.kill()
        killed_at = datetime.now(UTC)

        incidents = "SELECT count(*) FROM incidents"
        wait_until(lambda: _count(conn, incidents) >= HOMES, 60, "every silence flagged")
        # Every home is held again, by a live detector, which then ran a renewal after it.
        held_again = (
            "SELECT count(*) FROM leases WHERE scope = 'analytics'"
            f" AND expires_at > '{killed_at.isoformat()}'::timestamptz + interval '{LEASE_S * 2} s'"
        )
        wait_until(lambda: _count(conn, held_again) == HOMES, TAKEOVER_S, "the takeover")
        pending = "SELECT count(*) FROM alert_outbox WHERE state <> 'sent'"
        wait_until(lambda: _count(conn, pending) == 0, 60, "every message delivered")

        rows = conn.execute(
            "SELECT home_id, kind, state, resolved_at FROM incidents ORDER BY home_id"
        ).fetchall()
        sent = {f"veille-{r[0]}" for r in conn.execute("SELECT id FROM alert_outbox")}
        refs = collections.Counter(r.ref for r in phone.received())

    per_home = collections.Counter((str(r[0]), str(r[1])) for r in rows)
    print(
        f"failover: {len(rows)} incidents in {HOMES} homes, {len(sent)} messages,"
        f" {sum(refs.values())} deliveries, {sum(c - 1 for c in refs.values())} repeated"
    )
    assert len(per_home) == HOMES
    assert all(count == 1 for count in per_home.values())  # each silence exactly one incident
    assert [r for r in rows if r[3] is not None] == []  # no false resolution
    assert set(refs) == sent  # every message delivered
    assert all(count <= 2 for count in refs.values())  # copies carry their message's key


def _held_since(conn: Conn, at: datetime) -> int:
    """Homes whose lease was renewed after `at` plus two lease lengths: a detector started
    after `at` holds them and has run at least one full step since resuming them."""
    return _count(
        conn,
        "SELECT count(*) FROM leases WHERE scope = 'analytics'"
        f" AND expires_at > '{at.isoformat()}'::timestamptz + interval '{LEASE_S * 2} s'",
    )


@pytest.mark.slow
def test_restarts_by_sigterm_and_sigkill_change_nothing(db_url: str) -> None:
    analytics = ("analytics", "--check-s", "0.5")
    with Receiver() as phone, psycopg.connect(db_url, autocommit=True) as conn:
        _silent_homes(conn, phone.url(), datetime.now(UTC))
        before: list[tuple[object, ...]] = []
        # Each start after the first resumes from how the one before it stopped.
        for stop in ("SIGTERM", "SIGKILL", "SIGTERM"):
            with _veille(db_url, *analytics) as detector:
                started = datetime.now(UTC)
                wait_until(
                    lambda at=started: _held_since(conn, at) == HOMES, TAKEOVER_S, f"after {stop}"
                )
                wait_until(lambda: _count(conn, "SELECT count(*) FROM incidents") >= HOMES, 60)
                rows = conn.execute(
                    "SELECT id, home_id, kind, opened_at, resolved_at FROM incidents ORDER BY id"
                ).fetchall()
                if stop == "SIGKILL":
                    detector.kill()
                else:
                    detector.terminate()
                detector.wait(timeout=30)
            assert len(rows) == HOMES, stop
            assert all(r[4] is None for r in rows), stop  # nothing resolved by a restart
            assert not before or rows == before, stop  # nor opened again
            before = rows

"""Ingest's database side: idempotent batches and the device health pass, on real databases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from devices.signals import DeviceKind
from ingest.batch import Batch, EventRow, Status
from ingest.store import Store
from storage import device_status
from tests.ingest.conftest import register, scalar

NOW = datetime.now(UTC)
KEEP = timedelta(hours=72)


def row(at: datetime, key: int, dup: bool) -> EventRow:
    return (at, "h1", "pir", "button", 1.0, True, at, "", key, False, dup)


@pytest.mark.timescale
def test_redelivery_timed_by_receipt_is_skipped_in_a_later_batch(db_url: str) -> None:
    store = Store(db_url)
    assert store.write(Batch(events=[row(NOW, 42, dup=False)]), NOW) == 1
    # The broker re-sends the same message (DUP set) after a restart: new receipt time.
    later = NOW + timedelta(minutes=3)
    assert store.write(Batch(events=[row(later, 42, dup=True)]), later) == 0
    # A genuinely new press with the same payload carries no DUP flag and is stored.
    assert store.write(Batch(events=[row(later, 42, dup=False)]), later) == 1
    store.close()


@pytest.mark.timescale
def test_same_device_time_twice_is_stored_once(db_url: str) -> None:
    store = Store(db_url)
    batch = Batch(events=[row(NOW, 7, dup=False), row(NOW, 7, dup=False)])
    assert store.write(batch, NOW) == 1
    assert store.write(batch, NOW) == 0
    store.close()


def test_status_merges_and_skips_devices_removed_meanwhile(db_url: str) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    store = Store(db_url)
    store.write(Batch(status={("h1", "pir"): Status(NOW, NOW, 80.0, None, True)}), NOW)
    earlier = NOW - timedelta(hours=1)
    batch = Batch(
        status={
            ("h1", "pir"): Status(earlier, None, None, 120.0, None),
            ("h1", "removed"): Status(NOW, None, None, None, None),
        }
    )
    store.write(batch, NOW)
    assert scalar(db_url, "SELECT last_seen_at FROM device_status") == NOW
    assert scalar(db_url, "SELECT battery_pct FROM device_status") == 80  # kept
    assert scalar(db_url, "SELECT link_quality FROM device_status") == 120
    assert scalar(db_url, "SELECT count(*) FROM device_status") == 1
    store.close()


def test_health_pass_stores_each_kind_of_silence(db_url: str) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION, "door": DeviceKind.CONTACT})
    store = Store(db_url)
    store.write(
        Batch(
            status={
                ("h1", "pir"): Status(NOW, NOW, 5.0, None, True),
                ("h1", "door"): Status(NOW - timedelta(days=2), None, None, None, None),
            }
        ),
        NOW,
    )
    assert store.housekeeping(NOW, KEEP) == 2
    with psycopg.connect(db_url) as conn:
        rows: dict[object, object] = dict(
            conn.execute("SELECT device_id, silence FROM device_status").fetchall()
        )
        assert rows == {"pir": "low_battery", "door": "offline"}
        assert device_status.update_silence(conn, NOW) == {
            ("h1", "pir"): "low_battery",
            ("h1", "door"): "offline",
        }
    store.close()


def test_store_waits_for_the_database_until_stopped() -> None:
    store = Store("postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=1")
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    assert store.connect(stop) is False


def test_housekeeping_drops_dead_letters_past_their_retention(db_url: str) -> None:
    store = Store(db_url)
    old, recent = NOW - timedelta(days=8), NOW - timedelta(days=1)
    store.write(Batch(dead=[(old, "t", "malformed JSON", b"{"), (recent, "t", "x", b"")]), NOW)
    store.housekeeping(NOW, KEEP)
    assert scalar(db_url, "SELECT count(*) FROM dead_letters") == 1
    assert scalar(db_url, "SELECT reason FROM dead_letters") == "x"
    store.close()

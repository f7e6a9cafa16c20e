"""The live detector against a real database, driven by a manual clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from analytics import stillness
from analytics.service import Analytics
from devices.clock import ManualClock
from devices.signals import DeviceKind, Role, Room
from storage import device_status, events, homes, incidents
from tests.waiting import wait_until

# Tuesday 09:00 in London (UTC+0 in November)
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/London", "Mrs A")
        homes.upsert_device(conn, "h1", "pir-living", DeviceKind.MOTION, Room.LIVING)
        homes.upsert_device(conn, "h1", "pir-kitchen", DeviceKind.MOTION, Room.KITCHEN)
        homes.upsert_device(conn, "h1", "door", DeviceKind.CONTACT, Room.HALL, Role.ENTRANCE)
        yield conn


def motion(conn: psycopg.Connection[tuple[object, ...]], device: str, at: datetime) -> None:
    row = (at, "h1", device, "motion", 1.0, True, datetime.now(UTC), "", None, False)
    events.copy_events(conn, [row])


def heard(conn: psycopg.Connection[tuple[object, ...]], device: str, at: datetime) -> None:
    """A battery/link report: the device is alive, the resident may not be."""
    device_status.prepare_staging(conn)
    with conn.transaction():
        device_status.upsert_status(conn, [("h1", device, at, None, 80.0, 120.0, True)], at)


@pytest.mark.timescale
def test_inactivity_opens_after_threshold_and_resolves_on_activity(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    clock = ManualClock(START)
    service = Analytics(conn, clock)
    service.start()
    motion(conn, "pir-living", START)
    service.step()
    deadline = stillness.inactivity_deadline(service.detectors["h1"].ctx, None)
    assert deadline == service.detectors["h1"].next_deadline()
    assert deadline is not None
    assert timedelta(minutes=20) <= deadline - START <= timedelta(hours=16)

    heard(conn, "pir-kitchen", deadline - timedelta(minutes=5))
    clock.set(deadline - timedelta(seconds=1))
    service.step()
    assert incidents.list_incidents(conn, "h1") == []

    clock.set(deadline + timedelta(seconds=1))
    service.step()
    [opened] = incidents.list_incidents(conn, "h1", only_open=True)
    assert opened.kind == "inactivity"
    assert opened.explanation.startswith("No movement since 09:00 (")
    assert "living room" in opened.explanation
    assert opened.details["room"] == "living"
    assert opened.details["last_activity_local"] == "09:00"

    back = deadline + timedelta(minutes=3)
    motion(conn, "pir-kitchen", back)
    clock.set(back + timedelta(seconds=2))
    service.step()
    assert incidents.get_incident(conn, opened.id).state == "open"  # type: ignore[union-attr]
    # a lone twitch after a long silence does not resolve it; a second movement does
    motion(conn, "pir-kitchen", back + timedelta(minutes=1))
    clock.set(back + timedelta(minutes=1, seconds=2))
    service.step()
    resolved = incidents.get_incident(conn, opened.id)
    assert resolved is not None
    assert resolved.state == "resolved"
    assert resolved.outcome == "auto_resolved"
    assert resolved.resolved_at == back
    assert resolved.details["room"] == "kitchen"
    assert "in the kitchen" in resolved.details["resolution"]


def test_silent_devices_open_monitoring_lost_instead_of_inactivity(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    clock = ManualClock(START)
    service = Analytics(conn, clock)
    service.start()
    heard(conn, "pir-living", START)
    motion(conn, "pir-living", START)
    service.step()
    deadline = service.detectors["h1"].next_deadline()
    assert deadline is not None
    clock.set(max(deadline, START + timedelta(hours=2)) + timedelta(seconds=1))
    service.step()
    [opened] = incidents.list_incidents(conn, "h1", only_open=True)
    assert opened.kind == "monitoring_lost"
    assert "cannot hear the home" in opened.explanation


def test_declared_holiday_pauses_inactivity(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    conn.execute("UPDATE homes SET away_until = %s WHERE id = 'h1'", (START + timedelta(days=3),))
    clock = ManualClock(START)
    service = Analytics(conn, clock)
    service.start()
    motion(conn, "pir-living", START)
    service.step()
    clock.set(START + timedelta(hours=20))
    service.step()
    assert incidents.list_incidents(conn, "h1") == []


def test_a_restart_rebuilds_the_present_and_keeps_the_open_incident(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    clock = ManualClock(START)
    first = Analytics(conn, clock)
    first.start()
    motion(conn, "pir-living", START)
    heard(conn, "pir-kitchen", START + timedelta(hours=15))
    first.step()
    clock.set(START + timedelta(hours=16, minutes=1))
    first.step()
    [opened] = incidents.list_incidents(conn, "h1", only_open=True)
    first.stop()

    second = Analytics(conn, clock)
    second.start()
    assert second.detectors["h1"].state.last_at == START
    assert "inactivity" in second.detectors["h1"].state.open
    back = clock.now()
    motion(conn, "pir-kitchen", back)
    motion(conn, "pir-living", back + timedelta(seconds=30))
    clock.set(back + timedelta(minutes=1))
    second.step()
    resolved = incidents.get_incident(conn, opened.id)
    assert resolved is not None
    assert resolved.outcome == "auto_resolved"
    assert len(incidents.list_incidents(conn, "h1")) == 1


def _open_after_busy_morning(
    conn: psycopg.Connection[tuple[object, ...]], clock: ManualClock
) -> tuple[Analytics, incidents.Incident]:
    """Movement every few minutes for an hour, then a silence long enough to flag."""
    service = Analytics(conn, clock)
    service.start()
    for minute in range(0, 60, 4):
        motion(
            conn, "pir-living" if minute % 8 else "pir-kitchen", START + timedelta(minutes=minute)
        )
    heard(conn, "pir-kitchen", START + timedelta(hours=15))
    service.step()
    clock.set(START + timedelta(hours=16, minutes=1))
    service.step()
    [opened] = incidents.list_incidents(conn, "h1", only_open=True)
    return service, opened


def test_a_restart_does_not_resolve_an_incident_with_activity_from_before_it(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    clock = ManualClock(START)
    first, opened = _open_after_busy_morning(conn, clock)
    first.stop()
    second = Analytics(conn, clock)
    second.start()
    second.step()
    clock.set(clock.now() + timedelta(minutes=30))
    second.step()
    still = incidents.get_incident(conn, opened.id)
    assert still is not None
    assert (still.state, still.resolved_at) == ("open", None)
    assert [i.id for i in incidents.list_incidents(conn, "h1")] == [opened.id]


def test_a_restart_does_not_reopen_a_silence_a_person_closed(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    clock = ManualClock(START)
    first, opened = _open_after_busy_morning(conn, clock)
    incidents.resolve_incident(conn, opened.id, clock.now(), "handled")
    first.step()
    first.stop()
    second = Analytics(conn, clock)
    second.start()
    clock.set(clock.now() + timedelta(hours=1))
    second.step()
    assert [i.id for i in incidents.list_incidents(conn, "h1")] == [opened.id]


def test_a_takeover_after_a_lease_runs_out_keeps_the_open_incident_open(
    conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    clock = ManualClock(START)
    first, opened = _open_after_busy_morning(conn, clock)
    assert set(first.detectors) == {"h1"}
    # `first` dies without a word: it renews nothing from now on.
    second = Analytics(conn, clock, lease=timedelta(seconds=1))
    second.start()
    assert second.detectors == {}  # the home's lease is still first's
    wait_until(lambda: second.step() or "h1" in second.detectors, 25.0, "the takeover")
    clock.set(clock.now() + timedelta(minutes=30))
    second.step()
    still = incidents.get_incident(conn, opened.id)
    assert still is not None
    assert (still.state, still.resolved_at) == ("open", None)
    assert [i.id for i in incidents.list_incidents(conn, "h1")] == [opened.id]


def test_two_detectors_share_the_homes(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    for n in range(2, 5):
        homes.upsert_home(conn, f"h{n}", "Europe/London", f"Mrs {n}")
    clock = ManualClock(START)
    one = Analytics(conn, clock, lease=timedelta(seconds=1))
    one.start()
    assert len(one.detectors) == 4
    two = Analytics(conn, clock, lease=timedelta(seconds=1))
    two.start()  # counts two live detectors: `one` gives back half at its next renewal
    one.renew_leases()
    two.renew_leases()
    assert len(one.detectors) == len(two.detectors) == 2
    assert set(one.detectors).isdisjoint(two.detectors)

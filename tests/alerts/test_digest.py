from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from alerts.digest import NO_DATA, Digests, digest_day, summarize
from alerts.receiver import Receiver
from devices.clock import ManualClock
from devices.signals import DeviceKind, Role, Room
from storage import homes, incidents, outbox, readings
from storage.digests import Activity
from tests.alerts.conftest import HOME, add_person

Conn = psycopg.Connection[tuple[object, ...]]
PARIS = ZoneInfo("Europe/Paris")
DAY = date(2026, 1, 5)


def _local(hh_mm: str, day: date = DAY) -> datetime:
    return datetime.fromisoformat(f"{day}T{hh_mm}").replace(tzinfo=PARIS)


def test_the_digest_is_due_from_its_evening_hour_for_fourteen_hours() -> None:
    assert digest_day(_local("19:59")) is None
    assert digest_day(_local("20:00")) == DAY
    assert digest_day(_local("09:59", DAY + timedelta(days=1))) == DAY
    assert digest_day(_local("10:00", DAY + timedelta(days=1))) is None


def test_a_quiet_ordinary_day_reads_as_all_is_well() -> None:
    night_before = DAY - timedelta(days=1)
    activity = [
        Activity(_local("23:30", night_before), "bedroom", ""),
        Activity(_local("03:10"), "bathroom", ""),
        Activity(_local("03:14"), "bathroom", ""),  # same visit
        Activity(_local("07:42"), "bedroom", ""),
        Activity(_local("08:05"), "kitchen", ""),
        Activity(_local("12:30"), "kitchen", ""),
        Activity(_local("15:00"), "hall", "entrance"),
        Activity(_local("15:02"), "hall", "entrance"),  # leaving: one use of the door
        Activity(_local("16:30"), "hall", "entrance"),
    ]

    lines = summarize(activity, [], [("door", 12.0)], DAY, PARIS)

    assert lines == [
        "First activity: 07:42",
        "Kitchen: breakfast, lunch (no sign of dinner)",
        "Night: 3 movements, 1 bathroom visit(s)",
        "Front door used 2 time(s)",
        "Nothing unusual.",
        "Batteries low: door 12%",
    ]


def test_opted_in_family_get_one_digest_a_day_after_their_quiet_hours(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    homes.upsert_device(conn, HOME, "door", DeviceKind.CONTACT, Room.HALL, Role.ENTRANCE)
    anna = add_person(conn, "Anna", "family", receiver.url("anna"), digest=True)
    add_person(conn, "Ben", "family", receiver.url("ben"))  # did not opt in
    night_owl = add_person(
        conn, "Nina", "family", receiver.url("nina"), digest=True, quiet_hours="19:00-08:00"
    )
    incidents.open_incident(conn, HOME, "inactivity", _local("10:00").astimezone(UTC), "quiet")
    digests = Digests(conn, clock)

    clock.set(_local("19:59").astimezone(UTC))
    assert digests.run_once() == 0
    clock.set(_local("20:01").astimezone(UTC))
    assert digests.run_once() == 1
    assert digests.run_once() == 0
    clock.set(_local("08:00", DAY + timedelta(days=1)).astimezone(UTC))
    assert digests.run_once() == 1

    sent = [m for m in outbox.list_messages_to(conn, anna) if m.purpose == "digest"]
    assert [m.title for m in sent] == ["Mamie Jeanne: daily summary"]
    assert "Unusual: inactivity at 10:00 (open)" in sent[0].body
    assert len(outbox.list_messages_to(conn, night_owl)) == 1


def test_sundays_digest_tells_a_lasting_change_in_the_routine(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    anna = add_person(conn, "Anna", "family", receiver.url("anna"), digest=True)
    sunday = date(2026, 1, 11)
    for back in range(42, 0, -1):  # six weeks of days; the last twelve up an hour later
        day = sunday - timedelta(days=back)
        wake = 7.5 + (0.25 if back % 3 else -0.25) + (1.0 if back <= 12 else 0.0)
        features = {"wake_h": wake, "bed_h": 22.5, "night_bathroom_trips": 1.0}
        readings.save_daily_features(conn, HOME, day, features)
    digests = Digests(conn, clock)
    clock.set(_local("20:01", sunday - timedelta(days=1)).astimezone(UTC))  # Saturday
    assert digests.run_once() == 1
    clock.set(_local("20:01", sunday).astimezone(UTC))
    assert digests.run_once() == 1
    saturday, sunday_digest = [m.body for m in outbox.list_messages_to(conn, anna)]
    assert "Over the weeks" not in saturday
    assert "Over the weeks: Changes in the daily routine: getting up later by 1 h" in sunday_digest


def test_a_home_with_no_events_gets_no_data_yet_never_all_is_well(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    anna = add_person(conn, "Anna", "family", receiver.url("anna"), digest=True)
    clock.set(_local("20:30").astimezone(UTC))

    assert Digests(conn, clock).run_once() == 1

    [sent] = outbox.list_messages_to(conn, anna)
    assert sent.title == "Mamie Jeanne: no data yet"
    assert sent.body == NO_DATA
    for reassurance in ("all is well", "Nothing unusual", "Stayed in", "calm"):
        assert reassurance not in sent.title + sent.body


def test_a_day_without_activity_is_not_all_is_well(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    conn.execute(
        "INSERT INTO events (at, home_id, device_id, signal, value, activity)"
        " VALUES (%s, %s, 'pir', 'occupancy', 1, true)",
        (_local("08:00", DAY - timedelta(days=3)), HOME),
    )
    anna = add_person(conn, "Anna", "family", receiver.url("anna"), digest=True)
    clock.set(_local("20:30").astimezone(UTC))

    Digests(conn, clock).run_once()

    [sent] = outbox.list_messages_to(conn, anna)
    assert sent.title == "Mamie Jeanne: no activity seen"


def test_meal_times_and_the_night_are_the_detectors() -> None:
    # 10:30 is breakfast and 22:30 is night for the detector's no-meal and night rules too.
    activity = [
        Activity(_local("10:30"), "kitchen", ""),
        Activity(_local("22:30", DAY - timedelta(days=1)), "bathroom", ""),
    ]
    lines = summarize(activity, [], [], DAY, PARIS)
    assert "Kitchen: breakfast (no sign of lunch, dinner)" in lines
    assert "Night: 1 movements, 1 bathroom visit(s)" in lines

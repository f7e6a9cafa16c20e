"""Escalation timing on an injectable clock: each step fires on time, and only once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest

from alerts.engine import Engine
from alerts.message import NO_LONGER_NEEDED
from alerts.policy import DEFAULT_POLICY, after_claim
from devices.clock import ManualClock
from storage import care, checkins, escalations, incidents, outbox
from tests.alerts.conftest import HOME, LINKS, START

Conn = psycopg.Connection[tuple[object, ...]]


def _open(conn: Conn, kind: str = "inactivity", severity: str = "warning") -> int:
    incident_id = incidents.open_incident(
        conn, HOME, kind, START, "No movement since 07:40; usually up by 08:15", severity
    )
    assert incident_id is not None
    return incident_id


def told(conn: Conn, incident_id: int, people: dict[str, int]) -> list[tuple[str, str]]:
    """(purpose, name) of every message written for the incident, in order."""
    names = {v: k for k, v in people.items()}
    return [
        (m.purpose, names[m.contact_id])
        for m in outbox.list_messages(conn, incident_id)
        if m.contact_id is not None
    ]


def _at(clock: ManualClock, engine: Engine, minutes: float) -> int:
    clock.set(START + timedelta(minutes=minutes))
    return engine.run_once()


@pytest.fixture
def engine(conn: Conn, clock: ManualClock) -> Engine:
    return Engine(conn, clock, LINKS)


def test_a_warning_tells_the_family_first_and_only_once(
    conn: Conn, engine: Engine, people: dict[str, int]
) -> None:
    incident_id = _open(conn)

    engine.run_once()
    engine.run_once()

    assert told(conn, incident_id, people) == [("family", "Anna"), ("family", "Ben")]
    [anna, _] = outbox.list_messages(conn, incident_id)
    assert "usually up by 08:15" in anna.body
    assert "I'm on it: http://veille.test/a/" in anna.body
    assert anna.title.endswith("raised at 10:00")  # the home's local time (Paris)


def test_unclaimed_after_n_minutes_asks_the_nearest_available_vetted_volunteers(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int]
) -> None:
    incident_id = _open(conn)
    engine.run_once()

    assert _at(clock, engine, 9.9) == 0
    _at(clock, engine, 10)

    asked = [name for purpose, name in told(conn, incident_id, people) if purpose != "family"]
    assert asked == ["Vera", "Victor"]  # Wanda is off now, Felix too far, Nico not vetted
    [request] = [m for m in outbox.list_messages(conn, incident_id) if m.purpose != "family"][:1]
    assert "rue des Lilas" not in request.body  # the address goes to the accepter only
    assert "usually up" not in request.body  # the resident did not consent to share why
    [checkin] = checkins.list_checkins(conn, incident_id)
    offers = checkins.list_offers(conn, checkin.id)
    assert [o.contact_id for o in offers] == [people["Vera"], people["Victor"]]
    assert offers[0].distance_km is not None
    assert offers[0].distance_km < 0.5


def test_volunteers_see_why_when_the_resident_consented(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int]
) -> None:
    settings = care.get_care(conn, HOME)
    care.set_care(conn, replace(settings, share_details_with=["family", "volunteer"]))
    incident_id = _open(conn)
    engine.run_once()
    _at(clock, engine, 10)

    by_purpose = {m.purpose: m for m in outbox.list_messages(conn, incident_id)}
    assert "usually up" in by_purpose["checkin_request"].body
    assert "usually up" in by_purpose["family"].body


def test_without_an_available_volunteer_everyone_is_told_at_once(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int]
) -> None:
    for name in ("Vera", "Victor"):
        conn.execute("UPDATE contacts SET active = false WHERE id = %s", (people[name],))
    incident_id = _open(conn)
    engine.run_once()

    _at(clock, engine, 10)

    after_family = told(conn, incident_id, people)[2:]
    assert after_family == [
        ("everyone", "Anna"),
        ("everyone", "Ben"),
        ("everyone", "Care"),
        ("everyone", "Eve"),
    ]
    events = [e.event for e in escalations.list_timeline(conn, incident_id)]
    assert "no_volunteer" in events


def test_no_checkin_report_within_m_minutes_tells_everyone_then_reminds_a_few_times(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int]
) -> None:
    incident_id = _open(conn)
    engine.run_once()
    _at(clock, engine, 10)  # volunteers asked; nobody answers

    assert _at(clock, engine, 39.9) == 0
    _at(clock, engine, 40)
    everyone = [n for p, n in told(conn, incident_id, people) if p == "everyone"]
    assert everyone == ["Anna", "Ben", "Care", "Eve"]

    for minutes in (70, 100, 130, 160, 190):
        _at(clock, engine, minutes)
    reminders = [n for p, n in told(conn, incident_id, people) if p == "reminder"]
    assert len(reminders) == 3 * 4  # max_reminders rounds, then it stays quiet
    assert escalations.get_escalation(conn, incident_id) is not None


def test_critical_incidents_tell_everyone_and_ask_volunteers_at_once(
    conn: Conn, engine: Engine, people: dict[str, int]
) -> None:
    incident_id = _open(conn, kind="panic", severity="critical")

    engine.run_once()

    purposes = sorted({p for p, _ in told(conn, incident_id, people)})
    assert purposes == ["checkin_request", "everyone"]
    assert len(told(conn, incident_id, people)) == 4 + 2


def test_auto_resolve_tells_everyone_involved_what_happened(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int]
) -> None:
    incident_id = _open(conn)
    engine.run_once()
    _at(clock, engine, 10)  # family and two volunteers told so far

    clock.set(START + timedelta(minutes=12))
    incidents.resolve_incident_with(
        conn, incident_id, clock.now(), "auto_resolved", "Movement in the kitchen at 10:12."
    )
    engine.run_once()

    resolved = [m for m in outbox.list_messages(conn, incident_id) if m.purpose == "resolved"]
    names = {v: k for k, v in people.items()}
    assert sorted(names[m.contact_id] for m in resolved if m.contact_id) == [
        "Anna",
        "Ben",
        "Vera",
        "Victor",
    ]
    told = {names[m.contact_id]: m for m in resolved if m.contact_id}
    assert all("Movement in the kitchen at 10:12" in told[n].body for n in ("Anna", "Ben"))
    # Vera and Victor were asked but nobody went: nothing about her, not even her name.
    for volunteer in (told["Vera"], told["Victor"]):
        assert volunteer.body == NO_LONGER_NEEDED
        assert "Mamie" not in volunteer.title
        assert "inactivity" not in volunteer.title
    esc = escalations.get_escalation(conn, incident_id)
    assert esc is not None
    assert esc.stage == "done"
    assert _at(clock, engine, 60) == 0  # nothing fires after the end


def test_auto_resolve_without_a_sentence_says_where_activity_resumed(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int]
) -> None:
    from devices.signals import DeviceKind, Room
    from storage import homes

    homes.upsert_device(conn, HOME, "pir1", DeviceKind.MOTION, Room.KITCHEN)
    incident_id = _open(conn)
    engine.run_once()
    conn.execute(
        "INSERT INTO events (at, home_id, device_id, signal, value, activity)"
        " VALUES (%s, %s, 'pir1', 'occupancy', 1, true)",
        (START + timedelta(minutes=3, seconds=20), HOME),
    )
    incidents.resolve_incident(conn, incident_id, START + timedelta(minutes=4), "auto_resolved")
    _at(clock, engine, 4)

    [resolved, _] = [m for m in outbox.list_messages(conn, incident_id) if m.purpose == "resolved"]
    assert "movement in the kitchen at 10:03" in resolved.body


def test_resolved_incidents_are_closed_a_day_later(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int]
) -> None:
    incident_id = _open(conn)
    engine.run_once()
    incidents.resolve_incident(conn, incident_id, START, "false_alarm")

    _at(clock, engine, 24 * 60 - 1)
    found = incidents.get_incident(conn, incident_id)
    assert found is not None
    assert found.state == "resolved"
    _at(clock, engine, 24 * 60)
    found = incidents.get_incident(conn, incident_id)
    assert found is not None
    assert found.state == "closed"


def test_information_tells_the_family_once_and_never_asks_volunteers(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int]
) -> None:
    incident_id = _open(conn, "low_battery", "info")
    engine.run_once()
    for minutes in (10, 40, 120, 600):
        _at(clock, engine, minutes)

    assert told(conn, incident_id, people) == [("family", "Anna"), ("family", "Ben")]
    assert checkins.list_checkins(conn, incident_id) == []


def test_claiming_information_sets_no_re_escalation_timer() -> None:
    assert after_claim(START, DEFAULT_POLICY, "low_battery", "info") is None
    assert after_claim(START, DEFAULT_POLICY, "panic", "info") is not None  # critical kind
    warning = after_claim(START, DEFAULT_POLICY, "inactivity", "warning")
    assert warning == START + timedelta(minutes=DEFAULT_POLICY.reescalate_min)

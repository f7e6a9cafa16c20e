"""One-tap actions: claim, accept, decline, report, and what each stops or starts."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import psycopg
import pytest

from alerts.action import ActionView, describe_action, perform_action
from alerts.engine import Engine
from alerts.token import ActionToken, verify_action_token
from devices.clock import ManualClock
from storage import checkins, escalations, incidents, outbox
from tests.alerts.conftest import HOME, LINKS, SECRET, START

Conn = psycopg.Connection[tuple[object, ...]]


def _link(conn: Conn, incident_id: int, contact_id: int, label: str) -> ActionToken:
    """The token behind the link labelled `label` in the latest message to `contact_id`."""
    pattern = re.compile(rf"{label}: http://veille\.test/a/(\S+)")
    found = [
        hit
        for m in outbox.list_messages(conn, incident_id)
        if m.contact_id == contact_id and (hit := pattern.search(m.body))
    ]
    assert found, f"no {label!r} link for contact {contact_id}"
    return verify_action_token(SECRET, found[-1].group(1), START)


def _purposes(conn: Conn, incident_id: int, contact_id: int) -> list[str]:
    return [
        m.purpose for m in outbox.list_messages(conn, incident_id) if m.contact_id == contact_id
    ]


@pytest.fixture
def engine(conn: Conn, clock: ManualClock) -> Engine:
    return Engine(conn, clock, LINKS)


@pytest.fixture
def incident_id(conn: Conn, engine: Engine, people: dict[str, int]) -> int:
    opened = incidents.open_incident(conn, HOME, "inactivity", START, "No movement since 07:40")
    assert opened is not None
    engine.run_once()
    return opened


def _at(clock: ManualClock, minutes: float) -> None:
    clock.set(START + timedelta(minutes=minutes))


def _act(conn: Conn, token: ActionToken, clock: ManualClock, choice: str = "yes") -> ActionView:
    return perform_action(conn, token, LINKS, clock.now(), choice)


def test_a_claim_stops_the_unclaimed_timer_and_tells_the_rest_of_the_family(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    _at(clock, 5)
    claim = _link(conn, incident_id, people["Anna"], "I'm on it")
    assert describe_action(conn, claim, LINKS, clock.now()).needs_confirmation

    view = _act(conn, claim, clock)

    assert view.done
    assert _purposes(conn, incident_id, people["Ben"]) == ["family", "claimed"]
    _at(clock, 10)
    assert engine.run_once() == 0  # no volunteers: Anna is on it
    found = incidents.get_incident(conn, incident_id)
    assert found is not None
    assert found.state == "claimed"
    again = _act(conn, _link(conn, incident_id, people["Ben"], "I'm on it"), clock)
    assert again.text == "Anna is on it."


def test_a_claimed_incident_still_unresolved_is_re_escalated_after_the_timeout(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    _at(clock, 5)
    _act(conn, _link(conn, incident_id, people["Anna"], "I'm on it"), clock)

    _at(clock, 49.9)
    assert engine.run_once() == 0
    _at(clock, 50)
    engine.run_once()

    assert _purposes(conn, incident_id, people["Vera"]) == ["checkin_request"]
    reasons = [
        e.detail for e in escalations.list_timeline(conn, incident_id) if e.event == "escalated"
    ]
    assert reasons == ["claimed but unresolved after 45 min"]


def test_the_first_volunteer_to_accept_gets_the_address_and_the_others_are_told(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    _at(clock, 10)
    engine.run_once()
    vera = _link(conn, incident_id, people["Vera"], "Accept")
    victor = _link(conn, incident_id, people["Victor"], "Accept")

    _at(clock, 12)
    won = _act(conn, vera, clock)
    lost = _act(conn, victor, clock)

    assert "12 rue des Lilas" in won.text
    assert "Key safe 4711" in won.text
    assert "rue des Lilas" not in lost.text
    assert _purposes(conn, incident_id, people["Vera"]) == ["checkin_request", "checkin_details"]
    assert _purposes(conn, incident_id, people["Victor"]) == ["checkin_request", "taken"]
    assert _purposes(conn, incident_id, people["Anna"]) == ["family", "visiting"]
    details = outbox.list_messages(conn, incident_id)
    assert not any("rue des Lilas" in m.body for m in details if m.contact_id != people["Vera"])
    found = incidents.get_incident(conn, incident_id)
    assert found is not None
    assert found.state == "checkin"
    # The report deadline now runs from the acceptance: M = 30 min.
    _at(clock, 41.9)
    assert engine.run_once() == 0
    _at(clock, 42)
    engine.run_once()
    assert _purposes(conn, incident_id, people["Eve"]) == ["everyone"]


def test_two_volunteers_accepting_at_the_same_moment_exactly_one_gets_it(
    db_url: str,
    conn: Conn,
    clock: ManualClock,
    engine: Engine,
    people: dict[str, int],
    incident_id: int,
) -> None:
    _at(clock, 10)
    engine.run_once()
    tokens = [_link(conn, incident_id, people[n], "Accept") for n in ("Vera", "Victor")]
    barrier = threading.Barrier(len(tokens))
    views: list[ActionView] = []

    def accept(token: ActionToken) -> None:
        with psycopg.connect(db_url, autocommit=True) as own:
            barrier.wait()
            views.append(perform_action(own, token, LINKS, clock.now(), "yes"))

    threads = [threading.Thread(target=accept, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sum("The visit is yours" in v.text for v in views) == 1
    assert sum("Someone else is going" in v.text for v in views) == 1
    [checkin] = checkins.list_checkins(conn, incident_id)
    assert checkin.accepted_by in (people["Vera"], people["Victor"])
    states = sorted(o.state for o in checkins.list_offers(conn, checkin.id))
    assert states == ["accepted", "taken"]


def test_when_every_volunteer_declines_everyone_is_told_at_once(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    _at(clock, 10)
    engine.run_once()
    _at(clock, 11)
    _act(conn, _link(conn, incident_id, people["Vera"], "Decline"), clock)
    assert engine.run_once() == 0
    _act(conn, _link(conn, incident_id, people["Victor"], "Decline"), clock)

    engine.run_once()

    assert _purposes(conn, incident_id, people["Eve"]) == ["everyone"]


@pytest.mark.parametrize("outcome", ["no_answer", "needs_help"])
def test_a_checkin_reporting_trouble_tells_everyone_including_the_emergency_contact(
    conn: Conn,
    clock: ManualClock,
    engine: Engine,
    people: dict[str, int],
    incident_id: int,
    outcome: str,
) -> None:
    _at(clock, 10)
    engine.run_once()
    _act(conn, _link(conn, incident_id, people["Vera"], "Accept"), clock)
    report = _link(conn, incident_id, people["Vera"], "Report how it went")
    choices = [c for c, _ in describe_action(conn, report, LINKS, clock.now()).choices]
    assert outcome in choices

    _at(clock, 20)
    _act(conn, report, clock, outcome)

    assert _purposes(conn, incident_id, people["Eve"]) == ["everyone"]
    [eve] = [m for m in outbox.list_messages(conn, incident_id) if m.contact_id == people["Eve"]]
    assert "Vera reported" in eve.body
    [checkin] = checkins.list_checkins(conn, incident_id)
    assert checkin.outcome == outcome


def test_reporting_all_is_well_resolves_and_tells_everyone_involved(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    _at(clock, 10)
    engine.run_once()
    _act(conn, _link(conn, incident_id, people["Vera"], "Accept"), clock)
    report = _link(conn, incident_id, people["Vera"], "Report how it went")

    _at(clock, 25)
    view = _act(conn, report, clock, "fine")

    assert view.done
    found = incidents.get_incident(conn, incident_id)
    assert found is not None
    assert (found.state, found.outcome) == ("resolved", "fine")
    resolved = {
        m.contact_id for m in outbox.list_messages(conn, incident_id) if m.purpose == "resolved"
    }
    assert resolved == {people[n] for n in ("Anna", "Ben", "Vera", "Victor")}
    _at(clock, 120)
    assert engine.run_once() == 0
    late = _act(conn, _link(conn, incident_id, people["Anna"], "I'm on it"), clock)
    assert late.text.startswith("Already resolved")


def test_the_timeline_tells_who_was_told_what_and_who_did_what(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    _at(clock, 10)
    engine.run_once()
    _at(clock, 11)
    _act(conn, _link(conn, incident_id, people["Victor"], "Accept"), clock)
    _act(conn, _link(conn, incident_id, people["Victor"], "Report how it went"), clock, "fine")

    events = [(e.event, e.detail) for e in escalations.list_timeline(conn, incident_id)]

    assert events == [
        ("told_family", "Anna (family), Ben (family)"),
        ("escalated", "nobody claimed it within 10 min"),
        ("checkin_requested", "Vera (0.3 km), Victor (1.2 km)"),
        ("accepted", "Victor"),
        ("reported", "fine"),
        ("told_resolved", "Anna (family), Ben (family), Vera (volunteer), Victor (volunteer)"),
    ]

"""One-tap links stay one tap but safe: one use each, revoked with their contact or visit,
the address only for the accepter while the visit lasts, an explicit choice."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest

from alerts.action import ChoiceError, LinkRevokedError, describe_action, perform_action
from alerts.engine import Engine
from alerts.message import NO_LONGER_NEEDED
from alerts.token import ActionToken, verify_action_token
from devices.clock import ManualClock
from storage import care, contacts, escalations, incidents, outbox
from tests.alerts.conftest import HOME, LINKS, SECRET, START

Conn = psycopg.Connection[tuple[object, ...]]
ADDRESS = "12 rue des Lilas"


def _link(conn: Conn, incident_id: int, contact_id: int, label: str) -> ActionToken:
    pattern = re.compile(rf"{label}: http://veille\.test/a/(\S+)")
    found = [
        hit
        for m in outbox.list_messages(conn, incident_id)
        if m.contact_id == contact_id and (hit := pattern.search(m.body))
    ]
    assert found, f"no {label!r} link for contact {contact_id}"
    return verify_action_token(SECRET, found[-1].group(1), START)


@pytest.fixture
def engine(conn: Conn, clock: ManualClock) -> Engine:
    return Engine(conn, clock, LINKS)


@pytest.fixture
def incident_id(conn: Conn, engine: Engine, people: dict[str, int]) -> int:
    opened = incidents.open_incident(
        conn, HOME, "bathroom", START, "In the bathroom, after 3 h 38 min"
    )
    assert opened is not None
    engine.run_once()
    return opened


def _at(clock: ManualClock, minutes: float) -> None:
    clock.set(START + timedelta(minutes=minutes))


def _asked(conn: Conn, clock: ManualClock, engine: Engine) -> None:
    """Nobody claims: the volunteers are asked at +10 min."""
    _at(clock, 10)
    engine.run_once()


def _count(conn: Conn, incident_id: int) -> tuple[int, int]:
    return len(outbox.list_messages(conn, incident_id)), len(
        escalations.list_timeline(conn, incident_id)
    )


def test_a_replayed_report_is_already_done_and_changes_and_sends_nothing(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    report = _link(conn, incident_id, people["Anna"], "Report how it went")
    first = perform_action(conn, report, LINKS, clock.now(), "needs_help")
    before = _count(conn, incident_id)

    replays = [perform_action(conn, report, LINKS, clock.now(), "needs_help") for _ in range(2)]

    assert first.text == "Everyone has been told. Thank you."
    assert all(r.text.startswith("Already done") for r in replays)
    assert _count(conn, incident_id) == before
    told = [m for m in outbox.list_messages(conn, incident_id) if m.purpose == "everyone"]
    assert len(told) == 4  # Anna, Ben, Care, Eve: once, not three times


def test_a_replayed_claim_changes_nothing(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    claim = _link(conn, incident_id, people["Anna"], "I'm on it")
    assert perform_action(conn, claim, LINKS, clock.now(), "yes").done
    before = _count(conn, incident_id)

    again = perform_action(conn, claim, LINKS, clock.now(), "yes")

    assert again.text.startswith("Already done")
    assert _count(conn, incident_id) == before


@pytest.mark.parametrize("choice", ["", "no", "needs_help", "emergency"])
def test_a_claim_needs_its_one_explicit_choice(
    conn: Conn,
    clock: ManualClock,
    engine: Engine,
    people: dict[str, int],
    incident_id: int,
    choice: str,
) -> None:
    claim = _link(conn, incident_id, people["Anna"], "I'm on it")

    with pytest.raises(ChoiceError):
        perform_action(conn, claim, LINKS, clock.now(), choice)

    found = incidents.get_incident(conn, incident_id)
    assert found is not None
    assert found.state == "open"
    # The refused try did not use the link up.
    assert perform_action(conn, claim, LINKS, clock.now(), "yes").done


def test_the_links_of_a_removed_contact_stop_working(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    report = _link(conn, incident_id, people["Ben"], "Report how it went")
    contacts.deactivate_contact(conn, people["Ben"])

    with pytest.raises(LinkRevokedError):
        describe_action(conn, report, LINKS, clock.now())
    with pytest.raises(LinkRevokedError):
        perform_action(conn, report, LINKS, clock.now(), "needs_help")

    found = incidents.get_incident(conn, incident_id)
    assert found is not None
    assert found.state == "open"


def test_only_the_accepters_post_and_visit_page_show_the_address(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    _asked(conn, clock, engine)
    accept = _link(conn, incident_id, people["Vera"], "Accept")
    assert ADDRESS not in describe_action(conn, accept, LINKS, clock.now()).text

    won = perform_action(conn, accept, LINKS, clock.now(), "yes")

    assert ADDRESS in won.text
    # Opening the accept link again (or anyone it was forwarded to) shows no address.
    assert ADDRESS not in describe_action(conn, accept, LINKS, clock.now()).text
    assert ADDRESS not in perform_action(conn, accept, LINKS, clock.now(), "yes").text
    victor = _link(conn, incident_id, people["Victor"], "Accept")
    assert ADDRESS not in describe_action(conn, victor, LINKS, clock.now()).text
    visit = _link(conn, incident_id, people["Vera"], "Your visit page, while the visit lasts")
    page = describe_action(conn, visit, LINKS, clock.now())
    assert ADDRESS in page.text
    assert "Key safe 4711" in page.text
    with pytest.raises(ChoiceError):  # a visit page only shows
        perform_action(conn, visit, LINKS, clock.now(), "yes")

    report = _link(conn, incident_id, people["Vera"], "Report how it went")
    perform_action(conn, report, LINKS, clock.now(), "fine")

    with pytest.raises(LinkRevokedError):
        describe_action(conn, visit, LINKS, clock.now())


def test_the_links_of_a_check_in_that_is_over_stop_working(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    _asked(conn, clock, engine)
    vera = _link(conn, incident_id, people["Vera"], "Accept")
    perform_action(conn, vera, LINKS, clock.now(), "yes")
    # Vera reports "no answer": the check-in is over though the incident goes on.
    report = _link(conn, incident_id, people["Vera"], "Report how it went")
    perform_action(conn, report, LINKS, clock.now(), "no_answer")
    victor = _link(conn, incident_id, people["Victor"], "Decline")

    with pytest.raises(LinkRevokedError):
        describe_action(conn, victor, LINKS, clock.now())
    with pytest.raises(LinkRevokedError):
        perform_action(conn, vera, LINKS, clock.now(), "yes")


def test_a_volunteer_not_chosen_learns_nothing_more_from_pages_or_messages(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int], incident_id: int
) -> None:
    _asked(conn, clock, engine)
    victor = _link(conn, incident_id, people["Victor"], "Decline")
    perform_action(conn, victor, LINKS, clock.now(), "yes")
    perform_action(
        conn, _link(conn, incident_id, people["Vera"], "Accept"), LINKS, clock.now(), "yes"
    )
    perform_action(
        conn,
        _link(conn, incident_id, people["Vera"], "Report how it went"),
        LINKS,
        clock.now(),
        "fine",
    )

    later = [
        m
        for m in outbox.list_messages(conn, incident_id)
        if m.contact_id == people["Victor"] and m.purpose != "checkin_request"
    ]
    with pytest.raises(LinkRevokedError) as page:
        describe_action(conn, victor, LINKS, clock.now())

    assert [m.purpose for m in later] == ["resolved"]
    for text in (later[0].title, later[0].body, str(page.value)):
        assert "Mamie" not in text
        assert "bathroom" not in text
        assert "3 h 38" not in text
    assert later[0].body == NO_LONGER_NEEDED


def test_without_consent_no_message_or_page_names_the_kind_of_alert_or_its_details(
    conn: Conn, clock: ManualClock, engine: Engine, people: dict[str, int]
) -> None:
    settings = care.get_care(conn, HOME)
    care.set_care(conn, replace(settings, share_details_with=[]))  # she shares no details
    opened = incidents.open_incident(conn, HOME, "bathroom", START, "In the bathroom, 3 h 38 min")
    assert opened is not None
    engine.run_once()
    claim = _link(conn, opened, people["Anna"], "I'm on it")

    page = describe_action(conn, claim, LINKS, clock.now())
    perform_action(conn, claim, LINKS, clock.now(), "yes")  # Ben is told Anna is on it

    texts = [page.title, page.text] + [m.title + m.body for m in outbox.list_messages(conn, opened)]
    assert any("Mamie Jeanne: alert, raised at" in t for t in texts)
    for text in texts:
        assert "bathroom" not in text
        assert "3 h 38" not in text

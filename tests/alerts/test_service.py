from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime

import psycopg
import pytest

from alerts.receiver import Receiver
from alerts.service import AlertsConfig, run_alerts
from devices.clock import WallClock
from storage import incidents, outbox
from tests.alerts.conftest import DATA_KEY, HOME, SECRET, SENDING, Smtp, add_person

Conn = psycopg.Connection[tuple[object, ...]]


def _until(condition: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


@pytest.fixture
def service(db_url: str) -> Iterator[None]:
    stop = threading.Event()
    config = AlertsConfig(
        db_url,
        "http://veille.test",
        SECRET,
        DATA_KEY,
        sender_workers=2,
        poll_s=5.0,
        sender=replace(SENDING, attempt_timeout_s=5.0),
    )
    ready = threading.Event()
    thread = threading.Thread(target=run_alerts, args=(config, WallClock(), stop, ready))
    thread.start()
    assert ready.wait(timeout=10)
    yield
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive()


def _all_sent(conn: Conn, incident_id: int) -> bool:
    messages = outbox.list_messages(conn, incident_id)
    return bool(messages) and all(m.state == "sent" for m in messages)


@pytest.mark.usefixtures("service")
def test_an_opened_incident_reaches_each_family_member_exactly_once(
    conn: Conn, receiver: Receiver, smtp: Smtp
) -> None:
    add_person(conn, "Anna", "family", receiver.url("anna"))
    add_person(conn, "Ben", "family", smtp.url("ben@example.org"))
    add_person(conn, "Vera", "volunteer", receiver.url("vera"))
    opened = datetime.now(UTC)

    incident_id = incidents.open_incident(conn, HOME, "inactivity", opened, "No movement since 8")
    assert incident_id is not None

    # poll_s is 5 s: arriving well before that shows the NOTIFY path woke the service.
    assert receiver.wait_for(lambda got: len(got) >= 1, timeout_s=3.0)
    assert _until(lambda: _all_sent(conn, incident_id))
    [anna] = receiver.received()
    assert anna.path == "/anna"
    assert "No movement since 8" in anna.body["message"]
    assert "http://veille.test/a/" in anna.body["message"]
    [mail] = smtp.mailbox.messages
    assert mail.rcpt_tos == ["ben@example.org"]
    assert len(outbox.list_messages(conn, incident_id)) == 2  # the volunteer is not told yet


@pytest.mark.usefixtures("service")
def test_fallback_to_a_second_url_when_the_first_receiver_fails(
    conn: Conn, receiver: Receiver
) -> None:
    add_person(conn, "Anna", "family", receiver.url("fail/push"), receiver.url("anna"))

    incident_id = incidents.open_incident(conn, HOME, "inactivity", datetime.now(UTC), "quiet")
    assert incident_id is not None

    assert _until(lambda: _all_sent(conn, incident_id))
    [message] = outbox.list_messages(conn, incident_id)
    assert [a.ok for a in outbox.list_attempts(conn, message.id)] == [False, True]
    assert [r.path for r in receiver.received(ok_only=False)] == ["/fail/push", "/anna"]

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg

from alerts.masking import masked
from alerts.outbound import Outbound
from alerts.receiver import Receiver
from alerts.sender import Sender
from alerts.vault import Vault
from devices.clock import ManualClock
from storage import escalations, incidents, leases, outbox
from tests.alerts.conftest import HOME, SENDING, START, VAULT, Smtp, add_person

Conn = psycopg.Connection[tuple[object, ...]]


def _enqueue(conn: Conn, *urls: str, incident_id: int | None = None) -> int:
    contact = add_person(conn, "Anna", "family", *urls)
    sealed = VAULT.seal_all(list(urls))
    new = outbox.NewMessage(incident_id, contact, "alert", sealed, "Mamie: inactivity", "Hi")
    [message_id] = outbox.enqueue(conn, [new], START)
    return message_id


def test_message_reaches_receiver_once_with_its_dedupe_key(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    message_id = _enqueue(conn, receiver.url())

    assert Sender(conn, clock, VAULT, SENDING).run_once() == 1
    assert Sender(conn, clock, VAULT, SENDING).run_once() == 0

    [got] = receiver.received()
    assert got.ref == f"veille-{message_id}"
    assert f"Ref: veille-{message_id}" in got.body["message"]
    assert got.body["title"] == "Mamie: inactivity"
    sent = outbox.get_message(conn, message_id)
    assert sent is not None
    assert sent.state == "sent"
    assert sent.sent_url == 0
    [attempt] = outbox.list_attempts(conn, message_id)
    assert attempt.ok
    assert attempt.url.startswith("json://127.0.0.1")


def test_failing_channel_falls_back_to_the_next_and_both_attempts_are_recorded(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    message_id = _enqueue(conn, receiver.url("fail/phone"), receiver.url("inbox"))

    Sender(conn, clock, VAULT, SENDING).run_once()

    assert [r.path for r in receiver.received(ok_only=False)] == ["/fail/phone", "/inbox"]
    failed, delivered = outbox.list_attempts(conn, message_id)
    assert not failed.ok
    assert "500" in failed.detail
    assert failed.url == masked(receiver.url("fail/phone"))  # the path may be a secret
    assert delivered.ok
    assert delivered.url == masked(receiver.url("inbox"))
    sent = outbox.get_message(conn, message_id)
    assert sent is not None
    assert sent.state == "sent"
    assert sent.sent_url == 1


def test_secrets_in_urls_are_masked_in_recorded_attempts(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    url = receiver.url("inbox").replace("json://", "json://anna:hunter2@")
    message_id = _enqueue(conn, url)

    Sender(conn, clock, VAULT, SENDING).run_once()

    [attempt] = outbox.list_attempts(conn, message_id)
    assert attempt.ok
    assert "hunter2" not in attempt.url
    assert attempt.url.startswith("json://a...a:****@127.0.0.1:")


def test_unreachable_contact_is_retried_with_backoff_then_given_up_and_noted(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    incident_id = incidents.open_incident(conn, HOME, "inactivity", START, "quiet")
    assert incident_id is not None
    message_id = _enqueue(conn, receiver.url("fail/a"), incident_id=incident_id)
    sender = Sender(conn, clock, VAULT, replace(SENDING, backoff_s=(30.0,)))

    assert sender.run_once() == 1
    assert sender.run_once() == 0  # waiting for its backoff
    clock.advance(timedelta(seconds=29))
    assert sender.run_once() == 0
    clock.advance(timedelta(seconds=1))
    assert sender.run_once() == 1

    gave_up = outbox.get_message(conn, message_id)
    assert gave_up is not None
    assert gave_up.state == "failed"
    assert gave_up.rounds == 2
    assert len(outbox.list_attempts(conn, message_id)) == 2
    events = [e.event for e in escalations.list_timeline(conn, incident_id)]
    assert events == ["unreachable"]


def test_a_leased_message_waits_for_its_lease_to_end_before_another_sender_takes_it(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    _enqueue(conn, receiver.url())
    # A sender that leased the message and died before sending it.
    lease_end = START + timedelta(seconds=60)
    [_] = outbox.claim(conn, "dead-sender", START, lease_end, 10)

    survivor = Sender(conn, clock, VAULT, SENDING)
    assert survivor.run_once() == 0
    clock.set(lease_end)
    assert survivor.run_once() == 1
    assert len(receiver.received()) == 1


def test_email_is_delivered_to_a_local_smtp_server(
    conn: Conn, clock: ManualClock, smtp: Smtp
) -> None:
    message_id = _enqueue(conn, smtp.url("anna@example.org"))

    Sender(conn, clock, VAULT, SENDING).run_once()

    [mail] = smtp.mailbox.messages
    assert mail.rcpt_tos == ["anna@example.org"]
    raw = mail.content if isinstance(mail.content, bytes) else str(mail.content).encode()
    assert b"Subject: Mamie: inactivity" in raw
    assert f"veille-{message_id}".encode() in raw
    [attempt] = outbox.list_attempts(conn, message_id)
    assert attempt.ok


def test_when_no_family_member_can_be_reached_the_escalation_moves_on_at_once(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    from alerts.engine import Engine
    from tests.alerts.conftest import LINKS

    add_person(conn, "Anna", "family", receiver.url("fail/anna"))
    add_person(conn, "Eve", "emergency", receiver.url("eve"))
    incident_id = incidents.open_incident(conn, HOME, "inactivity", START, "quiet")
    assert incident_id is not None
    engine = Engine(conn, clock, LINKS)
    engine.run_once()

    clock.advance(timedelta(minutes=1))
    Sender(conn, clock, VAULT, replace(SENDING, backoff_s=())).run_once()
    engine.run_once()  # 1 min in: long before the 10 min claim timeout

    purposes = [m.purpose for m in outbox.list_messages(conn, incident_id)]
    assert purposes == ["family", "everyone", "everyone"]  # no volunteer here: everyone
    events = [e.event for e in escalations.list_timeline(conn, incident_id)]
    assert events[:4] == ["told_family", "unreachable", "escalated", "escalated"]


def test_delivery_checks_the_destination_again_and_refuses_a_host_that_now_points_inside(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    # Saved while `hooks.example.org` resolved to a public address; it now answers 127.0.0.1.
    port = receiver.url().split(":")[2].split("/")[0]
    message_id = _enqueue(conn, f"json://hooks.example.org:{port}/inbox")
    rebound = Outbound(resolver=lambda host: ["127.0.0.1"])

    Sender(conn, clock, VAULT, replace(SENDING, outbound=rebound, backoff_s=())).run_once()

    [attempt] = outbox.list_attempts(conn, message_id)
    assert not attempt.ok
    assert attempt.detail.startswith("refused: hooks.example.org points to a non-public address")
    assert receiver.received(ok_only=False) == []


def test_a_url_sealed_under_another_key_fails_its_attempt_with_a_clear_reason(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    message_id = _enqueue(conn, receiver.url())

    Sender(conn, clock, Vault("another key"), replace(SENDING, backoff_s=())).run_once()

    [attempt] = outbox.list_attempts(conn, message_id)
    assert (attempt.ok, attempt.url) == (False, "(sealed)")
    assert "VEILLE_DATA_KEY" in attempt.detail
    assert receiver.received(ok_only=False) == []


@contextmanager
def _redirecting_to(target: str) -> Iterator[int]:
    """An HTTP server on a free port answering every POST with a 307 to `target`."""

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(307)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_to_an_inside_address_is_not_followed(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    inside = receiver.url("inbox").replace("json://", "http://")
    with _redirecting_to(inside) as port:
        message_id = _enqueue(conn, f"json://127.0.0.1:{port}/hook")
        only_the_hook = Outbound(allow=frozenset({f"127.0.0.1:{port}"}))

        Sender(
            conn, clock, VAULT, replace(SENDING, outbound=only_the_hook, backoff_s=())
        ).run_once()

        [attempt] = outbox.list_attempts(conn, message_id)
        assert not attempt.ok
        assert "non-public address" in attempt.detail
        assert receiver.received(ok_only=False) == []
        # The same redirect, with the target allowed too, is followed: the guard made the
        # difference, not a plugin that never follows redirects.
        again = _enqueue(conn, f"json://127.0.0.1:{port}/hook")
        Sender(conn, clock, VAULT, SENDING).run_once()
        assert [a.ok for a in outbox.list_attempts(conn, again)] == [True]
        assert len(receiver.received()) == 1


def test_a_slow_receiver_gets_the_configured_timeout_not_apprises_four_seconds(
    conn: Conn, clock: ManualClock
) -> None:
    with Receiver(delay_s=5.0) as slow:
        message_id = _enqueue(conn, slow.url())
        Sender(conn, clock, VAULT, replace(SENDING, attempt_timeout_s=10.0)).run_once()
    [attempt] = outbox.list_attempts(conn, message_id)
    assert attempt.ok, attempt.detail
    assert attempt.elapsed_ms >= 5000.0
    sent = outbox.get_message(conn, message_id)
    assert sent is not None
    assert sent.state == "sent"


def test_a_timeout_is_recorded_as_one_and_the_fallback_copy_has_the_same_dedupe_key(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    with Receiver(delay_s=3.0) as slow:
        message_id = _enqueue(conn, slow.url(), receiver.url())
        Sender(conn, clock, VAULT, replace(SENDING, attempt_timeout_s=1.0)).run_once()
        [late] = slow.received()  # it took the message, too late to say so
    timed_out, delivered = outbox.list_attempts(conn, message_id)
    assert not timed_out.ok
    assert timed_out.detail.startswith("timeout after 1 s")
    assert 1000.0 <= timed_out.elapsed_ms < 3000.0
    assert delivered.ok
    [copy] = receiver.received()
    assert late.ref == copy.ref == f"veille-{message_id}"


def test_an_attempt_is_recorded_before_it_is_made(conn: Conn, clock: ManualClock) -> None:
    with Receiver(delay_s=2.0) as slow:
        message_id = _enqueue(conn, slow.url())
        sender = Sender(conn, clock, VAULT, SENDING)
        with psycopg.connect(conn.info.dsn, autocommit=True) as other:
            worker = threading.Thread(target=sender.run_once)
            worker.start()
            assert slow.wait_for(lambda got: len(got) == 1, 5.0)
            [in_flight] = outbox.list_attempts(other, message_id)
            worker.join()
    assert (in_flight.ok, in_flight.detail) == (False, outbox.IN_FLIGHT)
    [answered] = outbox.list_attempts(conn, message_id)
    assert answered.ok


def test_a_dead_sender_processs_message_is_taken_once_its_process_lease_ends(
    conn: Conn, clock: ManualClock, receiver: Receiver
) -> None:
    message_id = _enqueue(conn, receiver.url())
    process_end = START + timedelta(seconds=15)
    leases.hold(conn, outbox.SENDER_SCOPE, ["proc-a"], "proc-a", START, process_end)
    [_] = outbox.claim(conn, "proc-a/0", START, START + timedelta(seconds=60), 10)
    survivor = Sender(conn, clock, VAULT, SENDING, owner="proc-b/0")
    assert survivor.run_once() == 0  # proc-a still lives
    clock.set(process_end)
    assert survivor.run_once() == 1  # 15 s, not the message's 60 s lease
    [got] = receiver.received()
    assert got.ref == f"veille-{message_id}"

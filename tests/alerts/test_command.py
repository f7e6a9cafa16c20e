"""`veille alerts` as a process: killed mid-delivery, restarted, nothing is lost."""

from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from alerts.receiver import Receiver
from storage import outbox
from tests.alerts.conftest import DATA_KEY, SECRET, START, VAULT

Conn = psycopg.Connection[tuple[object, ...]]
ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 30
SENDERS = 2


@contextmanager
def _alerts_process(db_url: str) -> Iterator[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "VEILLE_DATABASE_URL": db_url,
        "VEILLE_SECRET_KEY": SECRET,
        "VEILLE_DATA_KEY": DATA_KEY,
        "VEILLE_OUTBOUND_ALLOW": "127.0.0.1",  # the test receiver
        "VEILLE_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "veille", "alerts", "--lease-s", "3",
               "--senders", str(SENDERS), "--poll-s", "0.2"]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _until(condition: Callable[[], bool], timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


@pytest.mark.slow
def test_a_sender_killed_mid_delivery_loses_nothing_and_repeats_only_what_was_in_flight(
    db_url: str, conn: Conn
) -> None:
    with Receiver(delay_s=0.1) as receiver:  # a slow provider: kills land mid-request
        ids = outbox.enqueue(
            conn,
            [
                outbox.NewMessage(
                    None, None, "test", [VAULT.seal(receiver.url())], f"message {n}", "hello"
                )
                for n in range(MESSAGES)
            ],
            START,
        )
        with _alerts_process(db_url) as first:
            assert _until(lambda: len(receiver.received()) >= 8, timeout_s=30)
            first.kill()  # SIGKILL: no cleanup, leases stay behind
            first.wait(timeout=10)
        in_flight = {
            f"veille-{row[0]}"
            for row in conn.execute(
                "SELECT id FROM alert_outbox WHERE state = 'pending' AND lease_owner IS NOT NULL"
            )
        }
        assert 1 <= len(in_flight) <= SENDERS
        # Those the receiver already had when the sender died will arrive twice.
        seen_before_restart = {r.ref for r in receiver.received()}

        with _alerts_process(db_url):
            assert _until(
                lambda: all(m.state == "sent" for m in _messages(conn, ids)), timeout_s=60
            )

        refs = collections.Counter(r.ref for r in receiver.received())
    # At least once: every message arrived; the copies are only those in flight at the kill,
    # and they carry the same dedupe key, so the receiver can drop them.
    assert set(refs) == {f"veille-{i}" for i in ids}
    repeated = {ref for ref, count in refs.items() if count > 1}
    assert repeated == in_flight & seen_before_restart
    assert all(count <= 2 for count in refs.values())


def _messages(conn: Conn, ids: list[int]) -> list[outbox.Message]:
    return [m for i in ids if (m := outbox.get_message(conn, i)) is not None]

"""One-tap link pages over HTTP: an explicit choice, our Origin only, one use, no address
to whoever opens the link, and no token in the access log of a real uvicorn server."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from fastapi.testclient import TestClient

from alerts.engine import Engine
from alerts.message import Links
from api.app import ApiConfig, create_app
from devices.clock import ManualClock
from storage import care, contacts, homes, incidents, outbox
from tests.alerts.conftest import VAULT
from tests.waiting import wait_until

PUBLIC = "http://veille.test"
SECRET = "api-test-secret"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _claim_link(db_url: str) -> str:
    """A home with an address, Anna in the family, an open incident: Anna's claim token."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/Paris", "Mamie")
        care.set_care(conn, care.HomeCare("h1", "12 rue des Lilas", "Key safe 4711"))
        anna = contacts.add_contact(
            conn, contacts.NewContact("h1", "Anna", "family", [VAULT.seal("json://127.0.0.1:9/a")])
        )
        incident_id = incidents.open_incident(conn, "h1", "inactivity", START, "No movement")
        assert incident_id is not None
        Engine(conn, ManualClock(START), Links(PUBLIC, SECRET)).run_once()
        [message] = [m for m in outbox.list_messages(conn, incident_id) if m.contact_id == anna]
    found = re.search(r"I'm on it: http://veille\.test/a/(\S+)", message.body)
    assert found is not None
    return found.group(1)


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(ApiConfig(db_url, public_url=PUBLIC, secret_key=SECRET))) as c:
        yield c


def test_a_post_needs_an_explicit_choice(db_url: str, client: TestClient) -> None:
    token = _claim_link(db_url)
    form = {"content-type": "application/x-www-form-urlencoded"}

    assert client.post(f"/a/{token}").status_code == 400
    assert client.post(f"/a/{token}", content=b"", headers=form).status_code == 400
    assert client.post(f"/a/{token}", content=b"choice=", headers=form).status_code == 400
    assert (
        client.post(f"/a/{token}", content=b"choice=yes&choice=yes", headers=form).status_code
        == 400
    )
    assert client.post(f"/a/{token}", content=b"\xff\xfe", headers=form).status_code == 400
    assert client.post(f"/a/{token}", data={"choice": "maybe"}).status_code == 400
    huge = b"choice=yes&pad=" + b"x" * 100_000
    assert client.post(f"/a/{token}", content=huge, headers=form).status_code == 400
    assert client.post(f"/a/{token}", data={"choice": "yes"}).status_code == 200


def test_a_post_from_another_site_is_refused(db_url: str, client: TestClient) -> None:
    token = _claim_link(db_url)
    yes = {"choice": "yes"}

    evil = (
        "https://evil.example",
        "null",
        "http://veille.test.evil.example",
        "https://veille.test",
    )
    for origin in evil:
        refused = client.post(f"/a/{token}", data=yes, headers={"origin": origin})
        assert refused.status_code == 403
    done = client.post(f"/a/{token}", data=yes, headers={"origin": "http://VEILLE.test:80"})
    replay = client.post(f"/a/{token}", data=yes, headers={"origin": PUBLIC})

    assert done.status_code == 200
    assert "the others know you are on it" in done.text
    assert "Already done" in replay.text


def test_link_pages_are_not_cached_and_name_no_address(db_url: str, client: TestClient) -> None:
    token = _claim_link(db_url)

    page = client.get(f"/a/{token}")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "rue des Lilas" not in page.text


@pytest.mark.parametrize("spoil", ["{}=", "{}==", "{}%3D", "{}.x", "x{}", "{}\u00e9"])
def test_a_spoiled_token_is_a_clear_400(db_url: str, client: TestClient, spoil: str) -> None:
    token = _claim_link(db_url)

    for answer in (
        client.get(f"/a/{spoil.format(token)}"),
        client.post(f"/a/{spoil.format(token)}", data={"choice": "yes"}),
    ):
        assert answer.status_code == 400
        assert "malformed link" in answer.text or "not valid" in answer.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _status(url: str, form: bytes | None = None) -> int:
    try:
        with urllib.request.urlopen(url, data=form, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return 0


def test_the_access_log_of_a_real_server_never_holds_a_token(db_url: str) -> None:
    token = _claim_link(db_url)
    port = _free_port()
    env = {
        **os.environ,
        "VEILLE_DATABASE_URL": db_url,
        "VEILLE_API_PORT": str(port),
        "VEILLE_PUBLIC_URL": PUBLIC,
        "VEILLE_SECRET_KEY": SECRET,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "veille", "api"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _status(f"{base}/healthz") == 200, 90, "veille api to answer")
        assert _status(f"{base}/a/{token}") == 200
        assert _status(f"{base}/a/{token}", b"choice=yes") == 200
        assert _status(f"{base}/a/{token}x") == 400
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=30)

    text = log.decode()
    assert "GET /a/<token> HTTP/1.1" in text
    assert "POST /a/<token> HTTP/1.1" in text
    assert token not in text
    assert token[:40] not in text

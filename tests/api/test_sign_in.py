"""Sessions, CSRF, the log-in rate limit, bearer tokens, sign-in links and invitations."""

from __future__ import annotations

import io
import re

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import ApiConfig, create_app
from api.auth import MAX_FAILURES_PER_ACCOUNT
from storage import homes
from tests.alerts.conftest import DATA_KEY, VAULT
from tests.signed_in import bearer
from veille.cli import main

PASSWORD = "correct horse battery"


def _cli(monkeypatch: pytest.MonkeyPatch, db_url: str, *argv: str, stdin: str = "") -> int:
    monkeypatch.setenv("VEILLE_DATABASE_URL", db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["users", *argv])


@pytest.fixture
def home(db_url: str) -> str:
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/Paris", "Mamie")
    return "h1"


def _add(mp: pytest.MonkeyPatch, db_url: str, email: str, role: str, *extra: str) -> None:
    args = ("add", "--email", email, "--role", role, *extra, "--password-stdin")
    assert _cli(mp, db_url, *args, stdin=PASSWORD + "\n") == 0


def test_the_cli_adds_users_and_prints_a_token_that_works_until_revoked(
    db_url: str, home: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _add(monkeypatch, db_url, "Paul@Example.org", "family_manager", "--home", home)
    assert _cli(monkeypatch, db_url, "token", "--email", "paul@example.org") == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert _cli(monkeypatch, db_url, "list") == 0
    assert "paul@example.org" in capsys.readouterr().out
    with TestClient(create_app(ApiConfig(db_url, data_key=DATA_KEY))) as client:
        auth = {"Authorization": f"Bearer {token}"}
        me = client.get("/auth/me", headers=auth).json()
        assert me["homes"] == [{"home_id": home, "role": "family_manager"}]
        (listed,) = client.get("/auth/tokens", headers=auth).json()
        assert "token" not in listed  # shown once, at creation
        assert client.delete(f"/auth/tokens/{listed['id']}", headers=auth).status_code == 204
        assert client.get("/auth/me", headers=auth).status_code == 401
    assert _cli(monkeypatch, db_url, "remove", "--email", "paul@example.org") == 0
    assert _cli(monkeypatch, db_url, "remove", "--email", "paul@example.org") == 1


def test_a_session_cookie_needs_the_csrf_header_to_change_anything(
    db_url: str, home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(monkeypatch, db_url, "ana@example.org", "family_manager", "--home", home)
    config = ApiConfig(db_url, data_key=DATA_KEY, public_url="https://veille.example")
    with TestClient(create_app(config), base_url="https://veille.example") as client:
        login = {"email": "ana@example.org", "password": PASSWORD}
        evil = {"Origin": "https://evil.example"}
        assert client.post("/auth/login", json=login, headers=evil).status_code == 403
        signed = client.post("/auth/login", json=login)
        assert signed.status_code == 200
        cookie = signed.headers["set-cookie"].lower()
        assert {"httponly", "samesite=lax", "secure"} <= {p.strip() for p in cookie.split(";")}
        csrf = signed.json()["csrf_token"]
        away = {"until": None}
        assert client.get("/homes/h1").status_code == 200  # reads need no token
        assert client.put("/homes/h1/away", json=away).status_code == 403
        wrong_origin = {"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
        assert client.put("/homes/h1/away", json=away, headers=wrong_origin).status_code == 403
        same = {"X-CSRF-Token": csrf, "Origin": "https://veille.example"}
        assert client.put("/homes/h1/away", json=away, headers=same).status_code == 200
        assert client.post("/auth/logout", headers=same).status_code == 204
        assert client.get("/homes/h1").status_code == 401


def test_log_in_is_refused_for_a_while_after_repeated_failures(
    db_url: str, home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(monkeypatch, db_url, "ana@example.org", "family", "--home", home)
    with TestClient(create_app(ApiConfig(db_url, data_key=DATA_KEY))) as client:
        wrong = {"email": "ana@example.org", "password": "not it"}
        for _ in range(MAX_FAILURES_PER_ACCOUNT):
            assert client.post("/auth/login", json=wrong).status_code == 401
        right = {**wrong, "password": PASSWORD}
        assert client.post("/auth/login", json=right).status_code == 429
    # Another API process agrees: the count is in the database.
    with TestClient(create_app(ApiConfig(db_url, data_key=DATA_KEY))) as other:
        assert other.post("/auth/login", json=right).status_code == 429


def test_a_sign_in_link_goes_through_the_outbox_and_works_once(
    db_url: str, home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(monkeypatch, db_url, "ana@example.org", "family", "--home", home)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("UPDATE users SET apprise_url = 'json://example.org/ana'")
    with TestClient(
        create_app(ApiConfig(db_url, data_key=DATA_KEY, public_url="http://v.test"))
    ) as client:
        for email in ("ana@example.org", "nobody@example.org"):
            sent = client.post("/auth/magic-link", json={"email": email})
            assert sent.status_code == 202  # the same answer: it does not tell who has an account
        with psycopg.connect(db_url) as conn:
            rows = conn.execute("SELECT urls, body FROM alert_outbox").fetchall()
        (urls, body), = rows  # fmt: skip
        assert [VAULT.open(u) for u in urls] == ["json://example.org/ana"]  # sealed at rest
        (token,) = re.findall(r"http://v\.test/auth/magic/([\w-]+)", str(body))
        assert client.post(f"/auth/magic/{token}").status_code == 200
        assert client.get("/auth/me").json()["email"] == "ana@example.org"
        assert client.post(f"/auth/magic/{token}").status_code == 400


def test_a_family_manager_invites_someone_who_sets_a_password(
    db_url: str, home: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(monkeypatch, db_url, "ana@example.org", "family_manager", "--home", home)
    with TestClient(
        create_app(ApiConfig(db_url, data_key=DATA_KEY, public_url="http://v.test"))
    ) as client:
        signed = client.post("/auth/login", json={"email": "ana@example.org", "password": PASSWORD})
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        invite = {"email": "leo@example.org", "role": "family", "language": "en"}
        made = client.post("/homes/h1/invitations", json=invite, headers=csrf)
        assert made.status_code == 201
        accept = made.json()["invitation_url"].removeprefix("http://v.test")
        client.cookies.clear()
        assert client.post(accept, json={"password": "short"}).status_code == 422
        joined = client.post(accept, json={"password": "leo's long password"})
        assert joined.status_code == 200
        assert joined.json()["homes"] == [{"home_id": "h1", "role": "family"}]
        assert client.post(accept, json={"password": "another long one"}).status_code == 400
        client.cookies.clear()
        again = {"email": "leo@example.org", "password": "leo's long password"}
        assert client.post("/auth/login", json=again).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/homes/" + "a" * 10_000, None),
        ("GET", "/homes/mamié", None),
        ("GET", "/incidents/99999999999999999999999", None),
        ("GET", "/incidents?limit=1000000000", None),
        ("GET", "/incidents?home_id=mami%C3%A9", None),
        ("GET", "/homes/h1/audit?offset=-1", None),
        ("PUT", "/homes/h1", {"timezone": "localtime"}),
        ("PUT", "/homes/h1", {"timezone": "EST5EDT"}),
        ("PUT", "/homes/h1", {"timezone": "Europe/Paris", "name": "Ma\x00mie"}),
        ("POST", "/homes/h1/contacts", {"name": "x" * 10_000, "role": "family",
                                        "apprise_urls": VAULT.seal_all(["json://example.org/x"])}),
    ],
)  # fmt: skip
def test_bad_input_is_a_clear_4xx(
    db_url: str,
    home: str,
    method: str,
    path: str,
    body: object,
) -> None:
    with TestClient(
        create_app(ApiConfig(db_url, data_key=DATA_KEY)), headers=bearer(db_url)
    ) as client:
        got = client.request(method, path, json=body)
    assert got.status_code in (404, 422), got.text[:200]
    assert got.json()["detail"]

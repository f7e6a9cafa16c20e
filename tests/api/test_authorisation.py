"""Every route, as every role, against a home the caller belongs to and one they do not.

The expected grants are written out here, independently of api/authz.py, so a change of
policy there shows up as a failure here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient

from api.app import ApiConfig, create_app
from api.authz import Policy
from devices.signals import DeviceKind, Room
from storage import accounts, contacts, homes, incidents
from tests.alerts.conftest import DATA_KEY, VAULT
from tests.signed_in import bearer

HOMES = ("h1", "h2")  # h1 belongs to org-a, h2 to org-b
ALL = {"status", "manage", "consent", "invite", "audit"}
CARE = {"status", "manage", "consent"}
# (role, home) -> what the role may do there; absent: nothing (the home answers 404).
GRANTS: dict[tuple[str, str], set[str]] = {
    ("administrator", "h1"): ALL,
    ("administrator", "h2"): ALL,
    ("care_a", "h1"): CARE,
    ("care_b", "h2"): CARE,
    ("family", "h1"): {"status"},
    ("family_manager", "h1"): ALL,
    ("resident", "h1"): {"status", "consent"},
}
ROLES = ("anonymous", "administrator", "care_a", "care_b", "family", "family_manager",
         "volunteer", "resident")  # fmt: skip

# (method, path) -> ("public", status) | ("signed_in", None) | ("admin", None) |
# ("home", access needed). Home routes are called on both homes.
ROUTES: dict[tuple[str, str], tuple[str, object]] = {
    ("GET", "/healthz"): ("public", 200),
    ("POST", "/auth/login"): ("public", 401),  # a wrong password, whoever asks
    ("POST", "/auth/magic-link"): ("public", 202),
    ("POST", "/auth/magic/{token}"): ("public", 400),
    ("POST", "/auth/invitations/{token}/accept"): ("public", 400),
    ("GET", "/a/{token}"): ("public", 400),
    ("POST", "/a/{token}"): ("public", 400),
    ("POST", "/auth/logout"): ("signed_in", None),
    ("GET", "/auth/me"): ("signed_in", None),
    ("GET", "/auth/tokens"): ("signed_in", None),
    ("POST", "/auth/tokens"): ("signed_in", None),
    ("DELETE", "/auth/tokens/{token_id}"): ("signed_in", None),
    ("GET", "/homes"): ("signed_in", None),
    ("GET", "/devices/pending"): ("admin", None),
    ("GET", "/incidents"): ("home", "status"),  # with ?home_id=
    ("GET", "/incidents/{incident_id}"): ("home", "status"),
    ("GET", "/incidents/{incident_id}/timeline"): ("home", "status"),
    ("PUT", "/homes/{home_id}"): ("home", "manage"),
    ("GET", "/homes/{home_id}"): ("home", "status"),
    ("PUT", "/homes/{home_id}/away"): ("home", "manage"),
    ("GET", "/homes/{home_id}/audit"): ("home", "audit"),
    ("POST", "/homes/{home_id}/invitations"): ("home", "invite"),
    ("GET", "/homes/{home_id}/care"): ("home", "manage"),
    ("PUT", "/homes/{home_id}/care"): ("home", "manage"),
    ("GET", "/homes/{home_id}/consent"): ("home", "status"),
    ("PUT", "/homes/{home_id}/consent"): ("home", "consent"),
    ("PUT", "/homes/{home_id}/policy"): ("home", "manage"),
    ("GET", "/homes/{home_id}/contacts"): ("home", "status"),
    ("POST", "/homes/{home_id}/contacts"): ("home", "manage"),
    ("PUT", "/homes/{home_id}/contacts/{contact_id}"): ("home", "manage"),
    ("DELETE", "/homes/{home_id}/contacts/{contact_id}"): ("home", "manage"),
    ("PUT", "/homes/{home_id}/devices/{device_id}"): ("home", "manage"),
    ("DELETE", "/homes/{home_id}/devices/{device_id}"): ("home", "manage"),
}

_serial = itertools.count(1)


def _body(method: str, path: str) -> object | None:
    n = next(_serial)
    bodies: dict[tuple[str, str], object] = {
        ("POST", "/auth/login"): {"email": f"nobody{n}@example.org", "password": "wrong"},
        ("POST", "/auth/magic-link"): {"email": "nobody@example.org"},
        ("POST", "/auth/invitations/{token}/accept"): {"password": "a long password"},
        ("POST", "/auth/tokens"): {"name": "script"},
        ("PUT", "/homes/{home_id}"): {"timezone": "Europe/Paris", "name": "Mamie"},
        ("PUT", "/homes/{home_id}/away"): {"until": None},
        ("POST", "/homes/{home_id}/invitations"): {
            "email": f"new{n}@example.org", "role": "family"
        },
        ("PUT", "/homes/{home_id}/care"): {"address": "1 rue des Lilas", "access_notes": "key"},
        ("PUT", "/homes/{home_id}/consent"): {"share_details_with": ["family"]},
        ("PUT", "/homes/{home_id}/policy"): {"claim_timeout_min": 15},
        ("POST", "/homes/{home_id}/contacts"): {
            "name": "Paul", "role": "family", "apprise_urls": ["json://example.org/hook"]
        },
        ("PUT", "/homes/{home_id}/contacts/{contact_id}"): {
            "name": "Paule", "role": "volunteer", "apprise_urls": ["json://example.org/hook"]
        },
        ("PUT", "/homes/{home_id}/devices/{device_id}"): {"kind": "motion", "room": "hall"},
    }  # fmt: skip
    return bodies.get((method, path))


@pytest.fixture
def world(db_url: str) -> tuple[TestClient, dict[str, dict[str, str]], dict[str, int]]:
    incident_of: dict[str, int] = {}
    with psycopg.connect(db_url, autocommit=True) as conn:
        for home, org in zip(HOMES, ("org-a", "org-b"), strict=True):
            homes.upsert_home(conn, home, "Europe/Paris", home)
            accounts.set_home_organisation(conn, home, org)
            opened = incidents.open_incident(
                conn, home, "inactivity", datetime(2026, 1, 5, 9, tzinfo=UTC), "No movement"
            )
            assert opened is not None
            incident_of[home] = opened
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    headers["administrator"] = bearer(db_url, "admin@example.org")
    headers["care_a"] = bearer(db_url, "a@org.example", "care_staff", organisation="org-a")
    headers["care_b"] = bearer(db_url, "b@org.example", "care_staff", organisation="org-b")
    for role in ("family", "family_manager", "volunteer", "resident"):
        headers[role] = bearer(db_url, f"{role}@example.org", role, home="h1")
    app = create_app(ApiConfig(db_url, data_key=DATA_KEY, secret_key="matrix-secret"))
    return TestClient(app), headers, incident_of


def _path_params(
    db_url: str, client: TestClient, head: dict[str, str], home: str, incident_of: dict[str, int]
) -> dict[str, str]:
    """Fresh objects for each call, so that one role's DELETE leaves the next one's to do."""
    n = next(_serial)
    with psycopg.connect(db_url, autocommit=True) as conn:
        contact = contacts.add_contact(
            conn,
            contacts.NewContact(home, f"c{n}", "family", VAULT.seal_all(["json://example.org/x"])),
        )
        homes.upsert_device(conn, home, f"d{n}", DeviceKind.MOTION, Room.HALL)
    made = client.post("/auth/tokens", json={}, headers=head)
    return {
        "home_id": home,
        "incident_id": str(incident_of[home]),
        "contact_id": str(contact),
        "device_id": f"d{n}",
        "token_id": str(made.json()["id"]) if made.status_code == 201 else "1",
        "token": "x" * 43,
    }


def _expected(kind: str, arg: object, role: str, home: str) -> Callable[[int], bool]:
    if kind == "public":
        return lambda status: status == arg
    if role == "anonymous":
        return lambda status: status == 401
    if kind == "signed_in":
        return lambda status: 200 <= status < 300
    if kind == "admin":
        return lambda status: (200 <= status < 300) if role == "administrator" else status == 403
    granted = GRANTS.get((role, home), set())
    if arg in granted:
        return lambda status: 200 <= status < 300
    if "status" in granted:
        return lambda status: status == 403
    return lambda status: status == 404


def test_every_route_declares_a_policy(db_url: str) -> None:
    app = create_app(ApiConfig(db_url, data_key=DATA_KEY, secret_key="s", demo_inbox=True))

    def policies(dependant: object) -> list[Policy]:
        found = [
            d.call for d in getattr(dependant, "dependencies", []) if isinstance(d.call, Policy)
        ]
        for sub in getattr(dependant, "dependencies", []):
            found += policies(sub)
        return found

    undeclared = [r.path for r in _api_routes(app) if not policies(r.dependant)]
    assert len(_api_routes(app)) > len(ROUTES) // 2  # the walk does see the routers' routes
    assert undeclared == []


def _api_routes(app: FastAPI) -> list[Any]:
    """Every API route with its effective dependencies, included routers' ones too."""
    return [r for r in iter_route_contexts(app.routes) if isinstance(r.original_route, APIRoute)]


def test_every_route_as_every_role_on_its_home_and_another(
    db_url: str, world: tuple[TestClient, dict[str, dict[str, str]], dict[str, int]]
) -> None:
    client, headers, incident_of = world
    wrong: list[str] = []
    with client:
        app: FastAPI = client.app  # type: ignore[assignment]
        served = {(m, r.path) for r in _api_routes(app) for m in r.methods if m != "HEAD"}
        assert served == set(ROUTES), "add the new route to ROUTES with its expected policy"
        for (method, path), (kind, arg) in sorted(ROUTES.items()):
            for role, home in itertools.product(ROLES, HOMES if kind == "home" else HOMES[:1]):
                params = _path_params(db_url, client, headers[role], home, incident_of)
                url = path.format(**params)
                query = {"home_id": home} if path == "/incidents" else None
                got = client.request(
                    method, url, json=_body(method, path), params=query, headers=headers[role]
                )
                if not _expected(kind, arg, role, home)(got.status_code):
                    wrong.append(f"{role:>14} {method} {url}: {got.status_code} {got.text[:80]}")
    assert wrong == []


def test_the_served_app_answers_anonymous_callers_no_2xx_beyond_sign_in_and_health(
    db_url: str, world: tuple[TestClient, dict[str, dict[str, str]], dict[str, int]]
) -> None:
    _, _, incident_of = world
    # As `veille api` builds it: a secret key for action pages, no demo inbox.
    with TestClient(
        create_app(ApiConfig(db_url, data_key=DATA_KEY, secret_key="served"))
    ) as client:
        answered = set()
        for route in _api_routes(client.app):  # type: ignore[arg-type]
            for method in route.methods - {"HEAD"}:
                params = _path_params(db_url, client, {}, "h1", incident_of)
                got = client.request(
                    method, route.path.format(**params), json=_body(method, route.path)
                )
                if 200 <= got.status_code < 300:
                    answered.add((method, route.path))
    assert answered <= {("GET", "/healthz"), ("POST", "/auth/magic-link")}

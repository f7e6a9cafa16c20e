from datetime import UTC, datetime

import psycopg
from fastapi.testclient import TestClient

from alerts.outbound import Outbound
from api.app import ApiConfig, create_app
from devices.signals import DeviceKind, Role, Room
from storage import homes, incidents
from tests.signed_in import bearer


def _seed(db_url: str) -> int:
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/Paris", "Mamie")
        homes.upsert_device(conn, "h1", "door", DeviceKind.CONTACT, Room.HALL, Role.ENTRANCE)
        opened = incidents.open_incident(
            conn, "h1", "inactivity", datetime(2026, 1, 5, 9, tzinfo=UTC), "No movement since 08:00"
        )
    assert opened is not None
    return opened


def test_api_lists_homes_devices_and_incidents(db_url: str) -> None:
    incident_id = _seed(db_url)
    with TestClient(create_app(ApiConfig(db_url)), headers=bearer(db_url)) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        home = client.get("/homes/h1").json()
        assert home["timezone"] == "Europe/Paris"
        assert [d["role"] for d in home["devices"]] == ["entrance"]
        listed = client.get("/incidents", params={"home_id": "h1", "open_only": True}).json()
        assert [i["id"] for i in listed] == [incident_id]
        assert client.get(f"/incidents/{incident_id}").json()["explanation"].startswith("No move")
        assert client.get("/incidents/999999").status_code == 404
        assert client.get("/homes/nope").status_code == 404


def test_demo_inbox_exists_only_in_demo_mode(db_url: str) -> None:
    with TestClient(create_app(ApiConfig(db_url)), headers=bearer(db_url)) as client:
        assert client.post("/demo/inbox", json={"title": "t"}).status_code in (404, 405)
    with TestClient(create_app(ApiConfig(db_url, demo_inbox=True))) as client:
        assert client.post("/demo/inbox", json={"title": "t", "message": "m"}).status_code == 200
        assert client.get("/demo/inbox").json() == [{"title": "t", "message": "m"}]


def test_homes_are_created_with_a_real_time_zone_and_can_be_away(db_url: str) -> None:
    with TestClient(create_app(ApiConfig(db_url)), headers=bearer(db_url)) as client:
        assert client.put("/homes/h9", json={"timezone": "Mars/Olympus"}).status_code == 422
        assert client.put("/homes/h9", json={"timezone": "Europe/Lisbon"}).status_code == 200
        until = "2026-08-20T18:00:00+01:00"
        assert client.put("/homes/h9/away", json={"until": until}).status_code == 200
        home = client.get("/homes/h9").json()
        assert datetime.fromisoformat(home["away_until"]) == datetime.fromisoformat(until)
        assert client.put("/homes/nope/away", json={"until": None}).status_code == 404


def test_contacts_with_unusable_apprise_urls_are_refused_and_secrets_masked(db_url: str) -> None:
    _seed(db_url)
    config = ApiConfig(db_url, data_key="api-test-data-key")
    with TestClient(create_app(config), headers=bearer(db_url)) as client:
        bad = {"name": "Paul", "role": "family", "apprise_urls": ["nosuchscheme://x"]}
        refused = client.post("/homes/h1/contacts", json=bad)
        assert refused.status_code == 422
        assert "apprise URL" in refused.json()["detail"]
        inside = {**bad, "apprise_urls": ["json://paul:s3cret@169.254.169.254/latest"]}
        refused = client.post("/homes/h1/contacts", json=inside)
        assert refused.status_code == 422
        assert "non-public address" in refused.json()["detail"]
        assert "s3cret" not in refused.json()["detail"]
        good = {**bad, "apprise_urls": ["json://paul:s3cret@hooks.example.org/h00kpath"]}
        assert client.post("/homes/h1/contacts", json=good).status_code == 201
        (listed,) = client.get("/homes/h1/contacts").json()
        edited = {**good, "name": "Paul B.", "available_hours": "08:00-20:00"}
        assert client.put(f"/homes/h1/contacts/{listed['id']}", json=edited).status_code == 200
        assert client.get("/homes/h1/contacts").json()[0]["name"] == "Paul B."
        assert client.put(f"/homes/h1/contacts/{listed['id']}", json=bad).status_code == 422
        assert client.delete(f"/homes/h1/contacts/{listed['id']}").status_code == 204
        assert client.get("/homes/h1/contacts").json() == []
        assert client.delete("/homes/h9/contacts/424242").status_code == 404
    assert listed["name"] == "Paul"
    assert "s3cret" not in listed["apprise_urls"][0]
    assert "h00kpath" not in listed["apprise_urls"][0]
    assert listed["apprise_urls"][0].startswith("json://p...l:****@hooks.example.org/")


def test_a_local_relay_is_accepted_only_when_the_operator_allows_it(db_url: str) -> None:
    _seed(db_url)
    relay = {"name": "Paul", "role": "family", "apprise_urls": ["json://127.0.0.1:2586/x"]}
    admin = bearer(db_url)
    for allow, status in ((frozenset(), 422), (frozenset({"127.0.0.1:2586"}), 201)):
        config = ApiConfig(db_url, data_key="k", outbound=Outbound(allow=allow))
        with TestClient(create_app(config), headers=admin) as client:
            assert client.post("/homes/h1/contacts", json=relay).status_code == status


def test_contacts_need_a_data_key(db_url: str) -> None:
    _seed(db_url)
    with TestClient(create_app(ApiConfig(db_url)), headers=bearer(db_url)) as client:
        answer = client.get("/homes/h1/contacts")
    assert answer.status_code == 503
    assert "VEILLE_DATA_KEY" in answer.json()["detail"]


def test_a_pending_device_is_listed_then_assigned_to_a_home(db_url: str) -> None:
    _seed(db_url)
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO pending_devices (source, model, first_seen_at, last_seen_at)"
            " VALUES ('z2m:hall/pir', 'RTCGQ11LM', now(), now())"
        )
    with TestClient(create_app(ApiConfig(db_url)), headers=bearer(db_url)) as client:
        assert [p["source"] for p in client.get("/devices/pending").json()] == ["z2m:hall/pir"]
        body = {"source": "z2m:hall/pir", "kind": "motion", "room": "hall"}
        assert client.put("/homes/h1/devices/hall-pir", json=body).status_code == 200
        assert client.get("/devices/pending").json() == []
        devices = {d["device_id"]: d for d in client.get("/homes/h1").json()["devices"]}
        assert devices["hall-pir"]["source"] == "z2m:hall/pir"
        assert client.delete("/homes/h1/devices/hall-pir").status_code == 204
        assert client.delete("/homes/h1/devices/hall-pir").status_code == 404


def test_an_incident_timeline_lists_events_and_messages(db_url: str) -> None:
    incident_id = _seed(db_url)
    with TestClient(create_app(ApiConfig(db_url)), headers=bearer(db_url)) as client:
        assert client.get(f"/incidents/{incident_id}/timeline").json() == {
            "events": [],
            "messages": [],
        }
        assert client.get("/incidents/424242/timeline").status_code == 404

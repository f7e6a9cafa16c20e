from datetime import UTC, datetime

import psycopg
from fastapi.testclient import TestClient

from api.app import ApiConfig, create_app
from devices.signals import DeviceKind, Role, Room
from storage import homes, incidents


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
    with TestClient(create_app(ApiConfig(db_url))) as client:
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
    with TestClient(create_app(ApiConfig(db_url))) as client:
        assert client.post("/demo/inbox", json={"title": "t"}).status_code in (404, 405)
    with TestClient(create_app(ApiConfig(db_url, demo_inbox=True))) as client:
        assert client.post("/demo/inbox", json={"title": "t", "message": "m"}).status_code == 200
        assert client.get("/demo/inbox").json() == [{"title": "t", "message": "m"}]

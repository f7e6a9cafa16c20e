"""The whole story on real parts: simulator → MQTT → ingest → PostgreSQL → detector →
incident → apprise delivery to a local HTTP receiver → the API lists the incident."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import psycopg
import pytest
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion

from alerts.receiver import Receiver
from alerts.service import AlertsConfig, run_alerts
from analytics.service import Analytics
from api.app import ApiConfig, create_app
from devices import native
from devices.clock import ManualClock
from devices.signals import Signal
from ingest.service import IngestConfig, run_ingest
from simulators.layout import standard_layout
from simulators.runner import SimOptions, run_simulation
from simulators.wire import Topics
from storage import contacts
from tests.alerts.conftest import DATA_KEY, SENDING, VAULT
from tests.signed_in import bearer
from tests.waiting import wait_until
from veille.mosquitto import Mosquitto, mosquitto_binary
from veille.registration import register_layout

pytestmark = pytest.mark.slow
HOME = "e2e"
LIVE_START = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)  # a Tuesday, 08:00 in Paris


@contextmanager
def running(target: Callable[[threading.Event], None]) -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=target, args=(stop,), daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(30)
        assert not thread.is_alive()


def wait_until_ingest_listens(mqtt_url: str, prefix: str, db_url: str) -> None:
    """Publish one reading (always the same, so it is stored once) until ingest stores it:
    anything published before ingest has subscribed would be lost."""
    url = urlsplit(mqtt_url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"{prefix}-probe")
    client.connect(url.hostname or "127.0.0.1", url.port or 1883)
    client.loop_start()
    probe = native.encode({Signal.TEMPERATURE_C: 20.0}, LIVE_START - timedelta(days=30))
    stored = "SELECT count(*) FROM events WHERE home_id = %s"
    topic = native.topic_for(prefix, HOME, "living-temp")

    def probe_stored() -> bool:
        client.publish(topic, probe, qos=1)
        return _count(db_url, stored) > 0

    try:
        wait_until(probe_stored, 30, "ingest to store the probe")
    finally:
        client.loop_stop()
        client.disconnect()


def _count(db_url: str, sql: str, *params: object) -> int:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(sql, (HOME, *params)).fetchone()
        return int(str(row[0])) if row else 0


@pytest.fixture
def burst_broker(request: pytest.FixtureRequest, mqtt_url: str) -> str:
    """Three days published at once: a broker whose queue limit we set (Mosquitto's default
    of 1000 queued messages would drop part of the burst), else the session's broker."""
    if mosquitto_binary() is None:
        return mqtt_url
    broker: Mosquitto = request.getfixturevalue("private_mosquitto")
    return broker.url


def test_a_fall_in_a_simulated_home_reaches_the_family_and_the_api(
    db_url: str, burst_broker: str, topic_prefix: str
) -> None:
    mqtt_url = burst_broker
    layout = standard_layout(HOME, "Europe/Paris")
    with Receiver() as phone, psycopg.connect(db_url, autocommit=True) as conn:
        register_layout(conn, layout)
        contacts.add_contact(
            conn, contacts.NewContact(HOME, "Claire", "family", [VAULT.seal(phone.url())])
        )
        ingest = IngestConfig(
            db_url, mqtt_url, client_id=f"{topic_prefix}-ingest", topic_prefix=topic_prefix,
            z2m_base_topic=f"{topic_prefix}-z2m", shelly=False, tasmota=False,
            trust_device_time=True,
        )  # fmt: skip
        with running(lambda stop: run_ingest(ingest, stop)):
            wait_until_ingest_listens(mqtt_url, topic_prefix, db_url)
            stats = run_simulation(
                SimOptions(
                    home_id=HOME, seed=3, start=LIVE_START, days=0.5, history_days=3,
                    speed=None, cues=("fall@+3h",), topics=Topics(topic_prefix),
                    client_id=f"{topic_prefix}-sim",
                ),
                mqtt_url,
            )  # fmt: skip
            (fall,) = stats.truth
            assert fall.scenario == "fall"
            # A message may carry several signals (motion, battery, link): rows outnumber
            # messages, so wait for the last message's time, not for a row count. One
            # publisher at QoS 1 keeps the order, and ingest commits its batches in order.
            last = "SELECT count(*) FROM events WHERE home_id = %s AND at >= %s"
            wait_until(
                lambda: _count(db_url, last, stats.last_at) >= 1, 60, "the last event stored"
            )

        # The detector on event time: step a manual clock through the afternoon.
        clock = ManualClock(fall.began_at)
        detector = Analytics(conn, clock)
        detector.start()
        any_incident = "SELECT count(*) FROM incidents WHERE home_id = %s"
        horizon = fall.began_at + timedelta(hours=12)
        while _count(db_url, any_incident) == 0 and clock.now() < horizon:
            clock.advance(timedelta(minutes=5))
            detector.step()
        alerts = AlertsConfig(db_url, "http://veille.test", "e2e-secret", DATA_KEY,
                              sender_workers=1, poll_s=0.2, sender=SENDING)  # fmt: skip
        with running(lambda stop: run_alerts(alerts, clock, stop)):
            assert phone.wait_for(lambda got: len(got) >= 1, timeout_s=30)

        first = phone.received()[0]
        assert "No movement" in first.body["message"]
        claim, report = re.findall(r"http://veille\.test(/a/[\w.-]+)", first.body["message"])[:2]
        config = ApiConfig(db_url, "http://veille.test", "e2e-secret", clock=clock)
        family = bearer(db_url, "family@example.org", "family", home=HOME)
        with TestClient(create_app(config), headers=family) as api:
            listed = api.get("/incidents", params={"home_id": HOME}).json()
            assert [(i["kind"], i["state"]) for i in listed] == [("inactivity", "open")]
            # One tap from the phone: the page asks first, the button acts.
            assert 'value="yes"' in api.get(claim).text
            assert api.post(claim, data={"choice": "yes"}).status_code == 200
            assert api.get(f"/incidents/{listed[0]['id']}").json()["state"] == "claimed"
            api.post(report, data={"choice": "fine"})
            final = api.get(f"/incidents/{listed[0]['id']}").json()
        assert (final["state"], final["outcome"]) == ("resolved", "fine")
        opened = datetime.fromisoformat(listed[0]["opened_at"])
        # After the fall, and before the scan's horizon (delays are measured by `veille eval`).
        assert fall.began_at < opened < horizon

"""Two ingest processes with one client id: the second refuses to start, nothing is lost."""

from __future__ import annotations

import json
import threading

import pytest

from devices import native
from devices.signals import DeviceKind
from ingest.service import ClientIdInUseError, IngestService
from tests.ingest.conftest import Publisher, RunningIngest, ingest_config, register, scalar
from tests.waiting import wait_until
from veille.mosquitto import Mosquitto

MESSAGES = 20_000


@pytest.mark.slow
def test_a_second_ingest_with_the_same_client_id_refuses_to_start_and_nothing_is_lost(
    db_url: str, topic_prefix: str, private_mosquitto: Mosquitto
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    config = ingest_config(db_url, private_mosquitto.url, topic_prefix, client_id="ingest-one")
    first = RunningIngest(config)
    first.start()
    publisher = Publisher(private_mosquitto.url)
    topic = native.topic_for(topic_prefix, "h1", "pir")
    payloads = [
        (topic, json.dumps({"signals": {"button": 1}, "detail": f"n{n}"}).encode())
        for n in range(MESSAGES)
    ]
    half = MESSAGES // 2
    publisher.publish_many(payloads[:half])
    # Started while the first has messages in flight: it refuses before touching the broker.
    with pytest.raises(ClientIdInUseError, match="'ingest-one' is in use by another ingest"):
        IngestService(config).run(threading.Event())
    publisher.publish_many(payloads[half:])  # each one acknowledged by the broker
    wait_until(
        lambda: scalar(db_url, "SELECT count(DISTINCT detail) FROM events") == MESSAGES,
        60,
        "every acknowledged event stored",
    )
    assert scalar(db_url, "SELECT count(*) FROM events") == MESSAGES
    first.stop()
    # Once the first is gone the id is free: a successor resumes the session.
    successor = RunningIngest(config)
    successor.start()
    publisher.publish(topic, json.dumps({"signals": {"button": 1}, "detail": "after"}))
    wait_until(lambda: scalar(db_url, "SELECT count(*) FROM events") == MESSAGES + 1)
    successor.stop()
    publisher.close()

"""Fault tests: nothing lost, nothing duplicated, whatever stops in the middle of a stream.

They use a private Mosquitto (queues of 100,000 messages per session, persistence on): the
default queue of 1000 loses most of any backlog, which would hide or fake what is tested.
Each message carries a sequence number in `detail`; half also carry a device time, so both
ways of recognising a redelivery (same device time, and the DUP flag) are exercised.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from devices import native
from devices.signals import DeviceKind
from ingest.bench_feed import Publishers
from tests.ingest import throwaway_pg
from tests.ingest.conftest import (
    Publisher,
    RunningIngest,
    ingest_config,
    register,
    scalar,
)
from tests.waiting import wait_until
from veille.mosquitto import Mosquitto, free_port

pytestmark = pytest.mark.slow

DEVICES = [f"d{i}" for i in range(8)]


def lines(first: int, count: int) -> Iterator[str]:
    for seq in range(first, first + count):
        body: dict[str, object] = {"signals": {"button": 1}, "detail": f"seq-{seq}"}
        if seq % 2:
            body["at"] = datetime.now(UTC).isoformat()
        yield json.dumps(body)


def topics(prefix: str) -> list[str]:
    return [native.topic_for(prefix, "h1", d) for d in DEVICES]


SEQ = "SELECT count(*) FROM events WHERE detail LIKE 'seq-%%'"


def stored_exactly_once(db_url: str, expected: int) -> None:
    wait_until(lambda: scalar(db_url, SEQ) == expected, timeout_s=90, what=f"{expected} events")
    time.sleep(1.0)  # redeliveries still in flight would show up now as extra rows
    assert scalar(db_url, SEQ) == expected
    assert (
        scalar(db_url, "SELECT count(DISTINCT detail) FROM events WHERE detail LIKE 'seq-%%'")
        == expected
    )


def wait_subscribed(db_url: str, mqtt_url: str, prefix: str) -> None:
    """Probe until ingest stores one: a message published before it subscribes is lost."""
    publisher = Publisher(mqtt_url)
    probe = native.topic_for(prefix, "h1", DEVICES[0])

    def stored() -> bool:
        publisher.publish(probe, json.dumps({"signals": {"button": 1}, "detail": "probe"}))
        return bool(scalar(db_url, "SELECT count(*) FROM events WHERE detail = 'probe'"))

    wait_until(stored, timeout_s=30, what="ingest subscribed")
    publisher.close()


def ingest_process(
    db_url: str, mqtt_url: str, prefix: str, client_id: str
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ingest",
            "--database-url",
            db_url,
            "--mqtt-url",
            mqtt_url,
            "--client-id",
            client_id,
            "--topic-prefix",
            prefix,
            "--z2m-base-topic",
            f"{prefix}-z2m",
            "--session-expiry-s",
            "300",
            "--log-level",
            "WARNING",
        ]
    )


def test_kill_9_mid_stream_then_restart_stores_every_event_once(
    db_url: str, topic_prefix: str, private_mosquitto: Mosquitto
) -> None:
    register(db_url, "h1", dict.fromkeys(DEVICES, DeviceKind.BUTTON))
    client_id = f"kill9-{time.time_ns()}"
    proc = ingest_process(db_url, private_mosquitto.url, topic_prefix, client_id)
    try:
        wait_subscribed(db_url, private_mosquitto.url, topic_prefix)
        publishers = Publishers(private_mosquitto.url, topics(topic_prefix))
        publishing = threading.Thread(target=publishers.send, args=(lines(0, 50_000),))
        publishing.start()
        wait_until(
            lambda: int(scalar(db_url, SEQ) or 0) > 10_000,  # type: ignore[call-overload]
            timeout_s=60,
            what="10,000 events before the kill",
        )
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        publishing.join()
        publishers.close()
        proc = ingest_process(db_url, private_mosquitto.url, topic_prefix, client_id)
        stored_exactly_once(db_url, 50_000)
    finally:
        proc.terminate()
        proc.wait(10)


def test_database_down_for_20_s_mid_stream_loses_and_duplicates_nothing(
    topic_prefix: str, private_mosquitto: Mosquitto
) -> None:
    problem = throwaway_pg.available()
    if problem:
        pytest.skip(problem)
    pg = throwaway_pg.ThrowawayPostgres(free_port())
    try:
        pg.start()
        pg.migrate()
        register(pg.url, "h1", dict.fromkeys(DEVICES, DeviceKind.BUTTON))
        running = RunningIngest(ingest_config(pg.url, private_mosquitto.url, topic_prefix))
        running.start()
        wait_subscribed(pg.url, private_mosquitto.url, topic_prefix)
        publisher = Publisher(private_mosquitto.url)
        sent = 0

        def publish(count: int) -> None:
            nonlocal sent
            batch = [
                (topics(topic_prefix)[n % 8], text.encode())
                for n, text in enumerate(lines(sent, count))
            ]
            publisher.publish_many(batch)
            sent += count

        publish(2000)
        wait_until(lambda: scalar(pg.url, SEQ) == 2000)
        pg.stop(mode="immediate")  # as if the server crashed
        outage_end = time.monotonic() + 20
        while time.monotonic() < outage_end:  # the stream goes on while the database is away
            publish(200)
            time.sleep(0.2)
        pg.start()
        publish(2000)
        stored_exactly_once(pg.url, sent)
        publisher.close()
        running.stop()
    finally:
        pg.destroy()


def test_mosquitto_restart_mid_stream_loses_nothing_it_accepted(
    db_url: str, topic_prefix: str, private_mosquitto: Mosquitto
) -> None:
    register(db_url, "h1", dict.fromkeys(DEVICES, DeviceKind.BUTTON))
    running = RunningIngest(ingest_config(db_url, private_mosquitto.url, topic_prefix))
    running.start()
    publisher = Publisher(private_mosquitto.url)
    accepted: list[str] = []
    for n, text in enumerate(lines(0, 3000)):
        publisher.publish(topics(topic_prefix)[n % 8], text)
        accepted.append(text)
    private_mosquitto.stop()  # SIGTERM: Mosquitto saves its persistence file
    private_mosquitto.start()
    wait_until(running.service.link.subscribed.is_set, what="ingest reconnected")  # type: ignore[union-attr]
    publisher.close()
    publisher = Publisher(private_mosquitto.url)
    for n, text in enumerate(lines(3000, 1000)):
        publisher.publish(topics(topic_prefix)[n % 8], text)
    stored_exactly_once(db_url, 4000)
    publisher.close()
    running.stop()

"""The ingest service end to end: real broker, real database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from devices import native
from devices.signals import DeviceKind, Signal
from tests.ingest.conftest import (
    Publisher,
    RunningIngest,
    register,
    scalar,
    wait_for_count,
)


@pytest.mark.timescale
def test_native_messages_become_events_and_device_status(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    topic = native.topic_for(topic_prefix, "h1", "pir")
    publisher.publish(topic, native.encode({Signal.MOTION: 1, Signal.BATTERY_PCT: 87}))
    publisher.publish(topic, native.encode({Signal.MOTION: 0}))

    wait_for_count(db_url, "SELECT count(*) FROM events WHERE home_id = 'h1'", 3)
    assert scalar(db_url, "SELECT count(*) FROM events WHERE activity") == 1
    assert scalar(db_url, "SELECT battery_pct FROM device_status WHERE device_id = 'pir'") == 87
    assert scalar(db_url, "SELECT last_activity_at IS NOT NULL AND available FROM device_status")


def test_redelivered_message_is_stored_once(
    db_url: str, mqtt_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"door": DeviceKind.CONTACT})
    topic = native.topic_for(topic_prefix, "h1", "door")
    at = datetime.now(UTC).isoformat()
    payload = json.dumps({"at": at, "signals": {"contact_open": 1}})
    # A publisher retrying after a lost PUBACK sends the same message again as a new one.
    publisher.publish(topic, payload)
    publisher.publish(topic, payload)
    publisher.publish(topic, native.encode({Signal.CONTACT_OPEN: 0}))

    wait_for_count(db_url, "SELECT count(*) FROM events WHERE value = 0", 1)
    assert scalar(db_url, "SELECT count(*) FROM events WHERE value = 1") == 1


def test_unknown_device_is_recorded_as_pending_not_stored(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    publisher.publish(
        native.topic_for(topic_prefix, "h1", "stranger"), native.encode({Signal.MOTION: 1})
    )
    publisher.publish(
        native.topic_for(topic_prefix, "h1", "stranger"), native.encode({Signal.MOTION: 0})
    )

    wait_for_count(
        db_url, "SELECT messages FROM pending_devices WHERE source = 'native:h1/stranger'", 2
    )
    assert scalar(db_url, "SELECT count(*) FROM events") == 0


def test_malformed_message_is_dead_lettered_and_good_one_stored(
    db_url: str, topic_prefix: str, ingest: RunningIngest, publisher: Publisher
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    topic = native.topic_for(topic_prefix, "h1", "pir")
    publisher.publish(topic, b"{not json")
    publisher.publish(topic, native.encode({Signal.MOTION: 1}))

    wait_for_count(db_url, "SELECT count(*) FROM events", 1)
    assert str(scalar(db_url, "SELECT reason FROM dead_letters")).startswith("malformed JSON")

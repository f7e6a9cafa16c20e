"""`veille devices`: a pending Zigbee device is assigned, then its messages are stored."""

from __future__ import annotations

import argparse
import json

import pytest

from devices.signals import DeviceKind
from ingest import devices_command
from tests.ingest.conftest import (
    Publisher,
    RunningIngest,
    register,
    scalar,
    wait_for_count,
)


def devices(db_url: str, *argv: str) -> int:
    parser = argparse.ArgumentParser()
    devices_command.add_arguments(parser)
    return devices_command.run(parser.parse_args(argv), db_url)


def test_pending_device_assigned_then_its_events_are_stored(
    db_url: str,
    topic_prefix: str,
    ingest: RunningIngest,
    publisher: Publisher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    z2m = f"{topic_prefix}/z2m"
    publisher.publish(f"{z2m}/kitchen/door", json.dumps({"contact": False}))
    wait_for_count(db_url, "SELECT count(*) FROM pending_devices", 1)

    assert devices(db_url, "list") == 0
    assert "z2m:kitchen/door" in capsys.readouterr().out

    assert (
        devices(
            db_url,
            "assign",
            "z2m:kitchen/door",
            "--home",
            "h1",
            "--device",
            "door",
            "--kind",
            "contact",
            "--room",
            "kitchen",
            "--role",
            "entrance",
        )
        == 0
    )
    assert scalar(db_url, "SELECT count(*) FROM pending_devices") == 0

    # The event it sent while pending is filed under the home with it.
    assert scalar(db_url, "SELECT value FROM events WHERE device_id = 'door'") == 1.0  # open
    publisher.publish(f"{z2m}/kitchen/door", json.dumps({"contact": True}))
    wait_for_count(db_url, "SELECT count(*) FROM events WHERE device_id = 'door'", 2)
    last = "SELECT value FROM events WHERE device_id = 'door' ORDER BY at DESC LIMIT 1"
    assert scalar(db_url, last) == 0.0  # closed


def test_assign_to_a_missing_home_is_refused(db_url: str) -> None:
    assert (
        devices(
            db_url,
            "assign",
            "z2m:x",
            "--home",
            "nowhere",
            "--device",
            "x",
            "--kind",
            "motion",
            "--room",
            "hall",
        )
        == 2
    )


def test_remove_forgets_a_device_and_a_pending_source(db_url: str) -> None:
    register(db_url, "h1", {"pir": DeviceKind.MOTION})
    assert devices(db_url, "remove", "h1", "pir") == 0
    assert scalar(db_url, "SELECT count(*) FROM devices") == 0
    assert devices(db_url, "remove", "z2m:unknown", "--pending") == 1


def test_explain_shows_a_devices_last_messages_and_what_each_became(
    db_url: str,
    topic_prefix: str,
    ingest: RunningIngest,
    publisher: Publisher,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A Tuya SOS button's press, verbatim (Koenkk/zigbee-herdsman-converters#2797), then a
    # message it cannot mean (a battery that is not a number).
    register(db_url, "h1", {"sos": DeviceKind.BUTTON}, source="z2m:hall/sos")
    topic = f"{topic_prefix}/z2m/hall/sos"
    publisher.publish(topic, '{"action":"emergency","battery":null,"linkquality":90}')
    wait_for_count(db_url, "SELECT count(*) FROM device_messages", 1)
    publisher.publish(topic, '{"battery":"flat"}')
    wait_for_count(db_url, "SELECT count(*) FROM dead_letters", 1)

    assert devices(db_url, "explain", "h1/sos") == 0
    out = capsys.readouterr().out
    assert "h1/sos (z2m:hall/sos)" in out
    assert "-> panic=1 (activity), link_quality=90" in out
    assert "-> dead letter: 'battery' must be a number" in out
    assert devices(db_url, "explain", "h1/nothing") == 1

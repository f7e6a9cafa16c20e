"""Where messages go: a broker that must answer, or a file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from devices.signals import Signal
from simulators.event import Event
from simulators.sink import FileSink, MqttSink, SinkError
from simulators.wire import WireMessage
from veille.mosquitto import free_port


def test_an_unreachable_broker_is_a_clear_error() -> None:
    with pytest.raises(SinkError, match="cannot connect"):
        MqttSink(f"mqtt://127.0.0.1:{free_port('127.0.0.1')}", "sim-unreachable", timeout_s=2)


def test_file_sink_writes_what_happened_and_what_went_on_the_wire(tmp_path: Path) -> None:
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    sink = FileSink(tmp_path / "out.jsonl")
    sink.send(None, [])  # no preamble, no line
    event = Event(at, "h", "pir", {Signal.MOTION: 1.0}, device_at=at.replace(minute=50, hour=8))
    sink.send(event, [WireMessage("t/pir", b'{"occupancy":true}')])
    sink.close()
    (line,) = (tmp_path / "out.jsonl").read_text().splitlines()
    assert json.loads(line) == {
        "at": "2026-03-02T09:00:00+00:00",
        "home": "h",
        "device": "pir",
        "signals": {"motion": 1.0},
        "device_at": "2026-03-02T08:50:00+00:00",
        "wire": [{"topic": "t/pir", "payload": '{"occupancy":true}', "retain": False}],
    }

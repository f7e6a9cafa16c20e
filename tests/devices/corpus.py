"""The payload corpus: tests/fixtures/payloads/<ecosystem>/<case>.json.

Each case lists messages fed, in order, to one fresh `Router` (codecs keep state, e.g. what
Zigbee2MQTT's bridge/devices taught), and either the `Message` expected for each (null when
the topic is ignored) or an `error` the last message must raise.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devices.codec import Router
from devices.signals import DecodeError, Message

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"


def cases(ecosystem: str) -> list[Any]:
    paths = sorted((ROOT / ecosystem).glob("*.json"))
    assert paths, f"no payload cases for {ecosystem}"
    return [pytest.param(json.loads(p.read_text()), id=p.stem) for p in paths]


def payload_bytes(payload: object) -> bytes:
    return payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()


def as_dict(message: Message | None) -> dict[str, Any] | None:
    if message is None:
        return None
    body: dict[str, Any] = {
        "source": message.source,
        "readings": [
            {"signal": r.signal.value, "value": r.value}
            | ({"at": r.at.astimezone(UTC).isoformat()} if r.at else {})
            | ({"detail": r.detail} if r.detail else {})
            for r in message.readings
        ],
    }
    if message.home_id is not None:
        body |= {"home_id": message.home_id, "device_id": message.device_id}
    if message.meta:
        body["meta"] = message.meta
    if message.model:
        body["model"] = message.model
    return body


def normalise(expected: dict[str, Any] | None) -> dict[str, Any] | None:
    if expected is None:
        return None
    readings = []
    for reading in expected["readings"]:
        reading = dict(reading, value=pytest.approx(reading["value"]))
        if "at" in reading:
            reading["at"] = datetime.fromisoformat(reading["at"]).astimezone(UTC).isoformat()
        readings.append(reading)
    return dict(expected, readings=readings)


def run_case(case: dict[str, Any]) -> None:
    router = Router("veille", "zigbee2mqtt")
    messages = case["messages"]
    if "error" in case:
        for earlier in messages[:-1]:
            router.decode(earlier["topic"], payload_bytes(earlier["payload"]))
        last = messages[-1]
        with pytest.raises(DecodeError, match=case["error"]):
            router.decode(last["topic"], payload_bytes(last["payload"]))
        return
    got = [as_dict(router.decode(m["topic"], payload_bytes(m["payload"]))) for m in messages]
    assert got == [normalise(e) for e in case["expected"]]

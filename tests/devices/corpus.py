"""The payload corpus: tests/fixtures/payloads/<ecosystem>/<case>.json.

Each case lists messages fed, in order, to one fresh `Router` (codecs keep state, e.g. what
Zigbee2MQTT's bridge/devices taught), and either the `Message` expected for each (null when
the topic is ignored; a list when a gateway speaks for several devices) or an `error` the
last message must raise.

Cases taken from an ecosystem's own docs, issue threads or test suites say so in `origin`
(repository and path, or URL): their payloads are verbatim, and `conclusion` is what a
careful ingest draws from them, written by us. `wired` (kind, role) applies the registry's
meaning (devices/wiring.py) to the readings before they are compared.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from devices.codec import Decoded, Router
from devices.signals import DecodeError, DeviceKind, Ignored, Message, Role
from devices.wiring import as_wired

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"


def cases(ecosystem: str) -> list[Any]:
    paths = sorted((ROOT / ecosystem).glob("*.json"))
    assert paths, f"no payload cases for {ecosystem}"
    return [pytest.param(json.loads(p.read_text()), id=f"{ecosystem}/{p.stem}") for p in paths]


def payload_bytes(payload: object) -> bytes:
    return payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()


def as_dict(decoded: Decoded, wired: tuple[DeviceKind, Role] | None = None) -> Any:
    if isinstance(decoded, Ignored):
        return None
    if isinstance(decoded, tuple):
        return [as_dict(m, wired) for m in decoded]
    message = decoded
    if wired is not None:
        readings = tuple(as_wired(r, *wired) for r in message.readings)
        message = Message(
            message.source,
            readings,
            message.home_id,
            message.device_id,
            message.model,
            message.meta,
        )
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


def normalise(expected: Any) -> Any:
    if expected is None:
        return None
    if isinstance(expected, list):
        return [normalise(e) for e in expected]
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
    wired = case.get("wired")
    wiring = (DeviceKind(wired["kind"]), Role(wired.get("role", ""))) if wired else None
    got = [
        as_dict(router.decode(m["topic"], payload_bytes(m["payload"])), wiring) for m in messages
    ]
    assert got == [normalise(e) for e in case["expected"]]

"""Veille's own topic scheme and JSON payload, version 1.

Topic:   ``<prefix>/v1/<home_id>/<device_id>``               (prefix defaults to ``veille``)
Payload: ``{"at": "2026-11-26T09:12:00Z", "signals": {"motion": 1, "battery_pct": 87}}``

- ``at`` (optional) is the device's time, ISO 8601 with an offset; without it ingest uses
  the time the message was received.
- ``signals`` maps a `Signal` name to a number or boolean (``true`` = 1).
- ``detail`` (optional) is a short string kept with every reading (e.g. a button action).

Availability: ``<prefix>/v1/<home_id>/<device_id>/availability`` with ``online`` or ``offline``.
Ids are ``[A-Za-z0-9_.-]{1,64}`` so they are safe in topics, URLs and file names.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from devices.fields import json_object
from devices.signals import DecodeError, Message, Reading, Signal

VERSION = "v1"
_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_SIGNALS = {s.value: s for s in Signal}


def topic_for(prefix: str, home_id: str, device_id: str) -> str:
    return f"{prefix}/{VERSION}/{home_id}/{device_id}"


def availability_topic_for(prefix: str, home_id: str, device_id: str) -> str:
    return f"{topic_for(prefix, home_id, device_id)}/availability"


def subscription(prefix: str) -> str:
    return f"{prefix}/{VERSION}/#"


def encode(signals: dict[Signal, float], at: datetime | None = None, detail: str = "") -> bytes:
    body: dict[str, Any] = {"signals": {s.value: v for s, v in signals.items()}}
    if at is not None:
        body["at"] = at.isoformat()
    if detail:
        body["detail"] = detail
    return json.dumps(body, separators=(",", ":")).encode()


def decode(prefix: str, topic: str, payload: bytes) -> Message:
    home_id, device_id, source, sub_topic = _topic(prefix, topic)
    if sub_topic:
        return Message(source, (_availability(payload),), home_id=home_id, device_id=device_id)
    body = json_object(payload)
    at = _timestamp(body.get("at"))
    detail = body.get("detail", "")
    if not isinstance(detail, str):
        raise DecodeError("'detail' must be a string")
    signals = body.get("signals")
    if not isinstance(signals, dict) or not signals:
        raise DecodeError("'signals' must be a non-empty object")
    readings = tuple(
        Reading(_signal(name), _number(name, value), at, detail[:200])
        for name, value in signals.items()
    )
    return Message(source, readings, home_id=home_id, device_id=device_id)


@lru_cache(maxsize=65_536)
def _topic(prefix: str, topic: str) -> tuple[str, str, str, str]:
    """(home_id, device_id, source, sub-topic): cached, as a home's devices reuse few topics."""
    # The prefix may itself contain '/' (e.g. a site name), so strip it rather than split.
    head = f"{prefix}/{VERSION}/"
    parts = topic[len(head) :].split("/") if topic.startswith(head) else []
    if len(parts) not in (2, 3):
        raise DecodeError(f"not a {prefix}/{VERSION}/<home>/<device> topic: {topic!r}")
    home_id, device_id = parts[0], parts[1]
    if not (_ID.match(home_id) and _ID.match(device_id)):
        raise DecodeError(f"invalid home or device id in topic {topic!r}")
    if len(parts) == 3 and parts[2] != "availability":
        raise DecodeError(f"unknown sub-topic {parts[2]!r}")
    return home_id, device_id, f"native:{home_id}/{device_id}", parts[2] if len(parts) == 3 else ""


def _availability(payload: bytes) -> Reading:
    text = payload.decode("utf-8", "replace").strip().lower()
    if text not in ("online", "offline"):
        raise DecodeError(f"availability must be online or offline, not {text[:40]!r}")
    return Reading(Signal.AVAILABLE, 1.0 if text == "online" else 0.0)


def _timestamp(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise DecodeError("'at' must be an ISO 8601 string")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise DecodeError(f"'at' is not ISO 8601: {value[:40]!r}") from None
    if at.tzinfo is None:
        raise DecodeError("'at' needs a UTC offset")
    return at


def _signal(name: str) -> Signal:
    try:
        return _SIGNALS[name]
    except KeyError:
        raise DecodeError(f"unknown signal {name[:40]!r}") from None


def _number(name: str, value: object) -> float:
    # bool is an int subclass: accept it explicitly, refuse strings and nulls.
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and value == value and abs(value) < 1e12:
        return float(value)
    raise DecodeError(f"signal {name!r} needs a finite number, got {value!r:.40}")

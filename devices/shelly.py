"""Shelly Gen2+ (Plus, Pro, Gen3, Gen4): JSON-RPC notifications over MQTT.

Topics (``<id>`` is the device's MQTT topic prefix, by default its device id):
``<id>/events/rpc`` (NotifyStatus, NotifyFullStatus, NotifyEvent), ``<id>/online``
(``true``/``false``, the last will) and the optional ``<id>/status/<component>``.

Notifications are deltas meant to be overlaid on a known status (a key that disappears is
sent as ``null``), so the codec keeps the last status per device and reads values from the
overlay. Energy arrives in Wh and is stored in kWh. ``ts`` is UTC epoch seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from devices.fields import flag, json_object, number
from devices.signals import DecodeError, Message, Reading, Signal

# NotifyEvent names that are a person pressing a button (btn_down/btn_up are raw edges that
# precede a single_push and would count one press twice).
_PRESSES = frozenset({"single_push", "double_push", "triple_push", "long_push"})


class Shelly:
    def __init__(self) -> None:
        self.status: dict[str, dict[str, Any]] = {}

    def subscriptions(self) -> list[str]:
        return ["+/events/rpc", "+/online", "+/status/+"]

    def matches(self, topic: str) -> bool:
        parts = topic.split("/")
        if len(parts) == 2:
            return parts[1] == "online"
        return len(parts) == 3 and (parts[1:] == ["events", "rpc"] or parts[1] == "status")

    def decode(self, topic: str, payload: bytes) -> Message | None:
        device, _, kind = topic.partition("/")
        source = f"shelly:{device}"
        if kind == "online":
            text = payload.decode("utf-8", "replace").strip().lower()
            if text not in ("true", "false"):
                raise DecodeError(f"online must be true or false, not {text[:40]!r}")
            return Message(source, (Reading(Signal.AVAILABLE, 1.0 if text == "true" else 0.0),))
        body = json_object(payload)
        if kind.startswith("status/"):
            component = kind.removeprefix("status/")
            return Message(source, tuple(self._overlay(device, {component: body}, None)))
        return self._notification(device, source, body)

    def _notification(self, device: str, source: str, body: dict[str, Any]) -> Message | None:
        method, params = body.get("method"), body.get("params")
        if not isinstance(params, dict):
            raise DecodeError("'params' must be an object")
        at = _epoch(params.get("ts"))
        if method == "NotifyFullStatus":
            self.status[device] = {}
        if method in ("NotifyStatus", "NotifyFullStatus"):
            delta = {k: v for k, v in params.items() if k != "ts"}
            return Message(source, tuple(self._overlay(device, delta, at)))
        if method == "NotifyEvent":
            return Message(source, tuple(_presses(params.get("events"), at)))
        return None  # other RPC traffic (responses, NotifyWebSocket...) is not sensor data

    def _overlay(
        self, device: str, delta: dict[str, Any], at: datetime | None
    ) -> Iterator[Reading]:
        known = self.status.setdefault(device, {})
        for component, change in delta.items():
            if change is None:
                known.pop(component, None)
                continue
            if not isinstance(change, dict):
                raise DecodeError(f"component {component[:40]!r} must be an object")
            merged = _merge(known.get(component, {}), change)
            known[component] = merged
            yield from _component(component, merged, at)


def _merge(old: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    merged = dict(old)
    for key, value in change.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _component(name: str, status: dict[str, Any], at: datetime | None) -> Iterator[Reading]:
    kind = name.partition(":")[0]
    if kind in ("switch", "pm1"):
        if "output" in status:
            yield Reading(Signal.SWITCH_ON, flag("output", status["output"]), at, name)
        if "apower" in status:
            yield Reading(Signal.POWER_W, number("apower", status["apower"]), at, name)
        energy = status.get("aenergy")
        if isinstance(energy, dict) and "total" in energy:
            wh = number("aenergy.total", energy["total"])
            yield Reading(Signal.ENERGY_KWH, wh / 1000.0, at, name)
    elif kind == "temperature" and "tC" in status:
        yield Reading(Signal.TEMPERATURE_C, number("tC", status["tC"]), at, name)
    elif kind == "humidity" and "rh" in status:
        yield Reading(Signal.HUMIDITY_PCT, number("rh", status["rh"]), at, name)
    elif kind == "devicepower":
        battery = status.get("battery")
        if isinstance(battery, dict) and battery.get("percent") is not None:
            yield Reading(Signal.BATTERY_PCT, number("percent", battery["percent"]), at, name)
    elif kind == "input" and isinstance(status.get("state"), bool):
        # An input wired to a reed switch is closed (true) while the door is shut.
        yield Reading(Signal.CONTACT_OPEN, 0.0 if status["state"] else 1.0, at, name)


def _presses(events: object, at: datetime | None) -> Iterator[Reading]:
    if not isinstance(events, list):
        raise DecodeError("NotifyEvent 'events' must be a list")
    for event in events:
        if isinstance(event, dict) and event.get("event") in _PRESSES:
            when = _epoch(event["ts"]) if "ts" in event else at
            yield Reading(Signal.BUTTON, 1.0, when, f"{event.get('component')}:{event['event']}")


def _epoch(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(number("ts", value), UTC)
    except (OverflowError, OSError, ValueError):
        raise DecodeError(f"'ts' is not a time: {value!r:.40}") from None

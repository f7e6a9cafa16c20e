"""Shelly Gen2+ (Plus, Pro, Gen3, Gen4): JSON-RPC notifications over MQTT.

Topics (``<id>`` is the device's MQTT topic prefix, by default its device id):
``<id>/events/rpc`` (NotifyStatus, NotifyFullStatus, NotifyEvent), ``<id>/online``
(``true``/``false``, the last will) and the optional ``<id>/status/<component>``.

Notifications are deltas meant to be overlaid on a known status (a key that disappears is
sent as ``null``), so the codec keeps the last status per device and reads values from the
overlay. Energy arrives in Wh and is stored in kWh. ``ts`` is UTC epoch seconds.

An input (``input:N`` with a boolean ``state``, i.e. switch mode) is a neutral `Signal.INPUT`:
the registry's kind says whether a door, a PIR or a wall switch is wired to it. A USB-powered
H&T reports ``battery.percent`` 0 with ``external.present: true``: no battery reading then.
Shelly BLU devices arrive through a gateway: the BLU gateway script's ``shelly-blu`` events
(one per BLU device, named by its Bluetooth address) become messages of their own source,
``shelly-blu:<address>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from devices.fields import flag, json_object, number
from devices.signals import DecodeError, Ignored, Message, Reading, Signal

# NotifyEvent names that are a person pressing a button (btn_down/btn_up are raw edges that
# precede a single_push and would count one press twice).
_PRESSES = frozenset({"single_push", "double_push", "triple_push", "long_push"})
_OTHER_RPC = Ignored("RPC traffic that is not sensor data (responses, other notifications)")
# The events the BLU gateway scripts emit for each BTHome advertisement they decode
# (ALLTERCO/shelly-script-examples ble-shelly-blu.js: Shelly.emitEvent("shelly-blu", ...)).
_BLU_EVENTS = frozenset({"shelly-blu", "bthome"})
# BTHome object names (bthome.io) as the gateway script names them: 1 = open / motion.
_BLU_FLAGS = {"motion": Signal.MOTION, "window": Signal.CONTACT_OPEN, "door": Signal.CONTACT_OPEN}
_BLU_NUMBERS = {
    "battery": Signal.BATTERY_PCT,
    "temperature": Signal.TEMPERATURE_C,
    "humidity": Signal.HUMIDITY_PCT,
}


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

    def decode(self, topic: str, payload: bytes) -> Message | tuple[Message, ...] | Ignored:
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

    def _notification(
        self, device: str, source: str, body: dict[str, Any]
    ) -> Message | tuple[Message, ...] | Ignored:
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
            events = params.get("events")
            if not isinstance(events, list):
                raise DecodeError("NotifyEvent 'events' must be a list")
            own = Message(source, tuple(_presses(events, at)))
            blu = tuple(_blu(events, at))
            return (own, *blu) if blu else own
        return _OTHER_RPC

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
    elif kind == "light" and "output" in status:
        yield Reading(Signal.SWITCH_ON, flag("output", status["output"]), at, name)
    elif kind in ("em1", "em"):
        # em1 (one channel) says act_power; em (three phases) total_act_power.
        power = status.get("act_power", status.get("total_act_power"))
        if power is not None:
            yield Reading(Signal.POWER_W, number("act_power", power), at, name)
    elif kind in ("em1data", "emdata"):
        energy = status.get("total_act_energy", status.get("total_act"))
        if energy is not None:
            kwh = number("total_act_energy", energy) / 1000.0  # Wh
            yield Reading(Signal.ENERGY_KWH, kwh, at, name)
    elif kind == "temperature" and "tC" in status:
        yield Reading(Signal.TEMPERATURE_C, number("tC", status["tC"]), at, name)
    elif kind == "humidity" and "rh" in status:
        yield Reading(Signal.HUMIDITY_PCT, number("rh", status["rh"]), at, name)
    elif kind == "devicepower":
        battery, external = status.get("battery"), status.get("external")
        if isinstance(external, dict) and external.get("present") is True:
            return  # on USB power the battery reading is 0 or stale, not a flat battery
        if isinstance(battery, dict) and battery.get("percent") is not None:
            yield Reading(Signal.BATTERY_PCT, number("percent", battery["percent"]), at, name)
    elif kind == "input" and isinstance(status.get("state"), bool):
        # Switch mode: the input's level. What it means is the wiring's (devices/wiring.py).
        yield Reading(Signal.INPUT, 1.0 if status["state"] else 0.0, at, name)


def _blu(events: list[Any], at: datetime | None) -> Iterator[Message]:
    """The BLU devices a gateway script heard, one message each."""
    for event in events:
        if not isinstance(event, dict) or event.get("event") not in _BLU_EVENTS:
            continue
        data = event.get("data")
        if not isinstance(data, dict) or not isinstance(data.get("address"), str):
            raise DecodeError("a BLU event needs 'data' with the device's 'address'")
        readings: list[Reading] = []
        for key, value in data.items():
            if key in _BLU_FLAGS:
                readings.append(Reading(_BLU_FLAGS[key], 1.0 if number(key, value) else 0.0, at))
            elif key in _BLU_NUMBERS:
                readings.append(Reading(_BLU_NUMBERS[key], number(key, value), at))
            elif key == "button" and number(key, value) > 0:
                # BTHome button events: 1 single, 2 double, 3 triple, 4 long press...
                readings.append(Reading(Signal.BUTTON, 1.0, at, f"button:{value}"))
        yield Message(f"shelly-blu:{data['address'].lower()}", tuple(readings))


def _presses(events: list[Any], at: datetime | None) -> Iterator[Reading]:
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

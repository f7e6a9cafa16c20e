"""Tasmota with the default FullTopic ``%prefix%/%topic%/``.

``tele/<t>/SENSOR`` and ``tele/<t>/STATE`` (JSON), ``tele/<t>/LWT`` (``Online``/``Offline``),
``stat/<t>/RESULT`` (JSON: relays ``POWERn``, buttons with SetOption73 ``{"Button1":
{"Action":"SINGLE"}}``, switches with SetOption114 ``{"Switch1":{"Action":"ON"}}``).
``stat/<t>/POWERn`` plain ``ON``/``OFF`` repeats RESULT (and is not sent with SetOption90),
so it is ignored; with SetOption4 it carries the JSON RESULT would have, and is read.

Sensor keys are model names (``AM2301``, ``DS18B20``) so the codec walks the objects for
``Temperature``/``Humidity``, honouring ``TempUnit``; ``ESP32`` is the chip's own
temperature, not the room's. ``SwitchN`` is a neutral input: what is wired to it is the
registry's to say. Zigbee through a Tasmota coordinator arrives as ``ZbReceived`` on
``tele/<t>/SENSOR`` (or ``tele/<t>/<device>/SENSOR`` with SetOption89): one message per
Zigbee device, source ``tasmota-zb:<Name or short address>``.
``Time`` is the device's local time without a zone: it is ignored and ingest uses the
receipt time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from devices.fields import json_object, number
from devices.signals import DecodeError, Ignored, Message, Reading, Signal

_ON_OFF = {"ON": 1.0, "OFF": 0.0}
_CHIP_SENSORS = frozenset({"ESP32"})  # SetOption146: the microcontroller's temperature
_PLAIN_POWER = Ignored("plain copy of stat/<topic>/RESULT's POWER")
_NOT_SENSOR_DATA = Ignored("not sensor data (INFO, UPTIME, command responses)")
# ZbReceived attributes (tasmota/docs Zigbee.md), read as Veille signals.
_ZIGBEE_NUMBERS = {
    "Temperature": Signal.TEMPERATURE_C,
    "Humidity": Signal.HUMIDITY_PCT,
    "BatteryPercentage": Signal.BATTERY_PCT,
    "LinkQuality": Signal.LINK_QUALITY,
}
_ZIGBEE_FLAGS = {"Occupancy": Signal.MOTION, "Power": Signal.SWITCH_ON}


class Tasmota:
    def subscriptions(self) -> list[str]:
        return ["tele/+/+", "stat/+/+", "tele/+/+/SENSOR"]

    def matches(self, topic: str) -> bool:
        parts = topic.split("/")
        if len(parts) == 4:
            return parts[0] == "tele" and parts[3] == "SENSOR"
        return len(parts) == 3 and parts[0] in ("tele", "stat")

    def decode(self, topic: str, payload: bytes) -> Message | tuple[Message, ...] | Ignored:
        parts = topic.split("/")
        prefix, name, kind = parts[0], parts[1], parts[-1]
        source = f"tasmota:{name}"
        if prefix == "tele" and kind == "LWT":
            text = payload.decode("utf-8", "replace").strip().lower()
            if text not in ("online", "offline"):
                raise DecodeError(f"LWT must be Online or Offline, not {text[:40]!r}")
            return Message(source, (Reading(Signal.AVAILABLE, 1.0 if text == "online" else 0.0),))
        if prefix == "stat" and (kind == "RESULT" or kind.startswith("POWER")):
            if kind != "RESULT" and payload.lstrip()[:1] != b"{":
                return _PLAIN_POWER
            readings = tuple(_result(json_object(payload)))
            return Message(source, readings) if readings else _NOT_SENSOR_DATA
        if prefix == "tele" and kind == "SENSOR":
            body = json_object(payload)
            zigbee = body.get("ZbReceived")
            if zigbee is not None:
                return tuple(_zigbee(zigbee))
            return Message(source, tuple(_sensor(body)))
        if prefix == "tele" and kind == "STATE":
            return Message(source, tuple(_state(json_object(payload))))
        return _NOT_SENSOR_DATA


def _sensor(body: dict[str, Any]) -> Iterator[Reading]:
    fahrenheit = body.get("TempUnit") == "F"
    for key, value in body.items():
        if key.startswith("Switch") and isinstance(value, str):
            yield Reading(Signal.INPUT, _on_off(key, value.encode()), None, key)
        elif key.startswith("Button") and isinstance(value, dict):
            yield from _button(key, value)
        elif key == "ENERGY" and isinstance(value, dict):
            if "Power" in value:
                yield Reading(Signal.POWER_W, number("Power", _first(value["Power"])))
            if "Total" in value:
                yield Reading(Signal.ENERGY_KWH, number("Total", value["Total"]))
        elif isinstance(value, dict) and key not in _CHIP_SENSORS:
            yield from _climate(key, value, fahrenheit)


def _result(body: dict[str, Any]) -> Iterator[Reading]:
    for key, value in body.items():
        if key.startswith("POWER") and isinstance(value, str):
            yield Reading(Signal.SWITCH_ON, _on_off(key, value.encode()), None, key)
        elif key.startswith("Button") and isinstance(value, dict):
            yield from _button(key, value)
        elif key.startswith("Switch") and isinstance(value, dict):
            # SetOption114: the switch is detached from the relay and reports its action.
            action = value.get("Action")
            if action in _ON_OFF:
                yield Reading(Signal.INPUT, _ON_OFF[action], None, key)
            elif isinstance(action, str) and action:
                # TOGGLE, HOLD...: a person worked the switch, with no level to keep.
                yield Reading(Signal.BUTTON, 1.0, None, f"{key}:{action}"[:200])


def _button(key: str, value: dict[str, Any]) -> Iterator[Reading]:
    action = value.get("Action")
    if isinstance(action, str) and action:
        yield Reading(Signal.BUTTON, 1.0, None, f"{key}:{action}"[:200])


def _zigbee(received: object) -> Iterator[Message]:
    if not isinstance(received, dict):
        raise DecodeError("'ZbReceived' must be an object")
    for short, attributes in received.items():
        if not isinstance(attributes, dict):
            raise DecodeError("each ZbReceived device must be an object")
        name = attributes.get("Name") or attributes.get("Device") or short
        readings = []
        for key, value in attributes.items():
            if key in _ZIGBEE_NUMBERS:
                readings.append(Reading(_ZIGBEE_NUMBERS[key], number(key, value)))
            elif key in _ZIGBEE_FLAGS:
                readings.append(Reading(_ZIGBEE_FLAGS[key], 1.0 if number(key, value) else 0.0))
        yield Message(f"tasmota-zb:{str(name)[:64]}", tuple(readings))


def _climate(sensor: str, values: dict[str, Any], fahrenheit: bool) -> Iterator[Reading]:
    if "Temperature" in values:
        temp = number("Temperature", values["Temperature"])
        celsius = (temp - 32.0) * 5.0 / 9.0 if fahrenheit else temp
        yield Reading(Signal.TEMPERATURE_C, round(celsius, 2), None, sensor)
    if "Humidity" in values:
        yield Reading(Signal.HUMIDITY_PCT, number("Humidity", values["Humidity"]), None, sensor)


def _state(body: dict[str, Any]) -> Iterator[Reading]:
    for key, value in body.items():
        if key.startswith("POWER") and isinstance(value, str):
            yield Reading(Signal.SWITCH_ON, _on_off(key, value.encode()), None, key)


def _first(value: object) -> object:
    # Multi-channel meters report a list, one value per channel: the first is the total.
    return value[0] if isinstance(value, list) and value else value


def _on_off(key: str, payload: bytes) -> float:
    text = payload.decode("utf-8", "replace").strip().upper()
    if text not in _ON_OFF:
        raise DecodeError(f"{key} must be ON or OFF, not {text[:40]!r}")
    return _ON_OFF[text]

"""Tasmota with the default FullTopic ``%prefix%/%topic%/``.

``tele/<t>/SENSOR`` and ``tele/<t>/STATE`` (JSON), ``tele/<t>/LWT`` (``Online``/``Offline``),
``stat/<t>/POWER[n]`` (``ON``/``OFF``). Sensor keys are model names (``AM2301``, ``DS18B20``)
so the codec walks the objects for ``Temperature``/``Humidity``, honouring ``TempUnit``.
``Time`` is the device's local time without a zone: it is ignored and ingest uses the
receipt time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from devices.fields import json_object, number
from devices.signals import DecodeError, Message, Reading, Signal

_ON_OFF = {"ON": 1.0, "OFF": 0.0}


class Tasmota:
    def subscriptions(self) -> list[str]:
        return ["tele/+/+", "stat/+/+"]

    def matches(self, topic: str) -> bool:
        parts = topic.split("/")
        return len(parts) == 3 and parts[0] in ("tele", "stat")

    def decode(self, topic: str, payload: bytes) -> Message | None:
        prefix, name, kind = topic.split("/")
        source = f"tasmota:{name}"
        if prefix == "tele" and kind == "LWT":
            text = payload.decode("utf-8", "replace").strip().lower()
            if text not in ("online", "offline"):
                raise DecodeError(f"LWT must be Online or Offline, not {text[:40]!r}")
            return Message(source, (Reading(Signal.AVAILABLE, 1.0 if text == "online" else 0.0),))
        if prefix == "stat" and kind.startswith("POWER"):
            return Message(source, (Reading(Signal.SWITCH_ON, _on_off(kind, payload), None, kind),))
        if prefix == "tele" and kind == "SENSOR":
            return Message(source, tuple(_sensor(json_object(payload))))
        if prefix == "tele" and kind == "STATE":
            return Message(source, tuple(_state(json_object(payload))))
        return None  # RESULT repeats stat/POWER; INFO*, UPTIME, cmnd/ are not sensor data


def _sensor(body: dict[str, Any]) -> Iterator[Reading]:
    fahrenheit = body.get("TempUnit") == "F"
    for key, value in body.items():
        if key.startswith("Switch") and isinstance(value, str):
            # A door switch configured so that ON means the circuit is open (SwitchMode 1
            # with a normally-closed reed): documented in docs/ingest.md.
            yield Reading(Signal.CONTACT_OPEN, _on_off(key, value.encode()), None, key)
        elif key.startswith("Button") and isinstance(value, dict):
            action = value.get("Action")
            if isinstance(action, str) and action:
                yield Reading(Signal.BUTTON, 1.0, None, f"{key}:{action}"[:200])
        elif key == "ENERGY" and isinstance(value, dict):
            if "Power" in value:
                yield Reading(Signal.POWER_W, number("Power", _first(value["Power"])))
            if "Total" in value:
                yield Reading(Signal.ENERGY_KWH, number("Total", value["Total"]))
        elif isinstance(value, dict):
            yield from _climate(key, value, fahrenheit)


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

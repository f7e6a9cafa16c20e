"""ESPHome's own MQTT topics (the ``mqtt:`` component), read without discovery.

``<node>/status`` is ``online``/``offline`` (birth and last will), a binary sensor publishes
``ON``/``OFF`` on ``<node>/binary_sensor/<object_id>/state`` and a sensor a number as text on
``<node>/sensor/<object_id>/state`` (esphome/esphome-docs components/mqtt.rst). These topics
say no device class and no unit, so a binary sensor is a neutral input whose meaning is the
registry's (devices/wiring.py), and a bare sensor is not read: with discovery on (ESPHome's
default) the Home Assistant codec reads the same topics with their class and unit.
Source: ``esphome:<node>``.
"""

from __future__ import annotations

from devices.signals import DecodeError, Ignored, Message, Reading, Signal

_ON_OFF = {"ON": 1.0, "OFF": 0.0}
_NO_UNIT = Ignored("an ESPHome sensor without its discovery config: unit and meaning unknown")


class ESPHome:
    def subscriptions(self) -> list[str]:
        return ["+/status", "+/binary_sensor/+/state", "+/sensor/+/state"]

    def matches(self, topic: str) -> bool:
        parts = topic.split("/")
        if len(parts) == 2:
            return parts[1] == "status"
        return len(parts) == 4 and parts[1] in ("binary_sensor", "sensor") and parts[3] == "state"

    def decode(self, topic: str, payload: bytes) -> Message | Ignored:
        parts = topic.split("/")
        source = f"esphome:{parts[0]}"
        text = payload.decode("utf-8", "replace").strip()
        if len(parts) == 2:
            if text not in ("online", "offline"):
                raise DecodeError(f"status must be online or offline, not {text[:40]!r}")
            return Message(source, (Reading(Signal.AVAILABLE, 1.0 if text == "online" else 0.0),))
        if parts[1] == "sensor":
            return _NO_UNIT
        if text not in _ON_OFF:
            raise DecodeError(f"a binary sensor state must be ON or OFF, not {text[:40]!r}")
        return Message(source, (Reading(Signal.INPUT, _ON_OFF[text], None, parts[2][:100]),))

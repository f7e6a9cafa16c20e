"""Homie 3/4 (``homie/<device>/...``) and Homie 5 (``homie/5/<device>/...``).

``$state`` is the device's availability (``ready``; ``lost``/``disconnected`` when gone). A
property's value is text on ``.../<node>/<property>``; what it is comes from its attributes:
``$datatype`` and ``$unit`` topics in Homie 3/4, the ``$description`` JSON document in Homie
5 (homieiot/convention). A boolean property is a neutral input (the registry gives it its
meaning); numbers are read when their unit says what they are (°C/°F, W, Wh/kWh, or % on a
humidity or battery property). A value whose property is not described yet, or whose unit
says nothing Veille uses, is ignored, never guessed. Source: ``homie:<device>``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from devices.fields import number
from devices.signals import DecodeError, Ignored, Message, Reading, Signal

_AVAILABLE = {"ready": 1.0, "lost": 0.0, "disconnected": 0.0}
_UNITS = {"°C": Signal.TEMPERATURE_C, "°F": Signal.TEMPERATURE_C, "W": Signal.POWER_W}
_ENERGY = {"kWh": 1.0, "Wh": 0.001}
_ATTRIBUTE = Ignored("a Homie attribute: learned")


@dataclass(slots=True)
class _Property:
    datatype: str = ""
    unit: str = ""


class Homie:
    def __init__(self, root: str = "homie") -> None:
        self.root = root
        self._head = root + "/"
        self.properties: dict[tuple[str, str, str], _Property] = {}

    def subscriptions(self) -> list[str]:
        return [f"{self.root}/#"]

    def matches(self, topic: str) -> bool:
        return topic.startswith(self._head)

    def decode(self, topic: str, payload: bytes) -> Message | Ignored:
        parts = topic[len(self._head) :].split("/")
        if parts[0] == "5":  # Homie 5 puts its major version in the topic
            parts = parts[1:]
        device, rest = parts[0], parts[1:]
        text = payload.decode("utf-8", "replace").strip()
        source = f"homie:{device}"
        if rest == ["$state"]:
            if text not in _AVAILABLE:
                return Ignored(f"Homie state {text[:20]!r} (init, sleeping, alert)")
            return Message(source, (Reading(Signal.AVAILABLE, _AVAILABLE[text]),))
        if rest == ["$description"]:
            self._describe(device, text)
            return _ATTRIBUTE
        if not rest or rest[0].startswith("$") or rest[-1] in ("set", "$target"):
            return _ATTRIBUTE if rest else Ignored("not a Homie topic")
        if len(rest) == 3 and rest[2] in ("$datatype", "$unit"):
            prop = self.properties.setdefault((device, rest[0], rest[1]), _Property())
            if rest[2] == "$datatype":
                prop.datatype = text
            else:
                prop.unit = text
            return _ATTRIBUTE
        if len(rest) != 2 or rest[1].startswith("$"):
            return _ATTRIBUTE
        return self._value(source, device, rest[0], rest[1], text)

    def _describe(self, device: str, text: str) -> None:
        if not text:
            return  # Homie 5: an empty description removes the device
        try:
            description = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DecodeError(f"malformed Homie $description: {exc}") from None
        nodes = description.get("nodes") if isinstance(description, dict) else None
        for node, body in (nodes or {}).items():
            props = body.get("properties") if isinstance(body, dict) else None
            for prop, spec in (props or {}).items():
                if isinstance(spec, dict):
                    self.properties[(device, node, prop)] = _Property(
                        str(spec.get("datatype", "")), str(spec.get("unit", ""))
                    )

    def _value(
        self, source: str, device: str, node: str, prop: str, text: str
    ) -> Message | Ignored:
        spec = self.properties.get((device, node, prop))
        detail = f"{node}/{prop}"[:100]
        if spec is None or not spec.datatype:
            return Ignored("a Homie property not described yet")
        if spec.datatype == "boolean":
            if text not in ("true", "false"):
                raise DecodeError(f"a Homie boolean is true or false, not {text[:20]!r}")
            return Message(
                source, (Reading(Signal.INPUT, 1.0 if text == "true" else 0.0, None, detail),)
            )
        if spec.datatype not in ("float", "integer"):
            return Ignored(f"a Homie {spec.datatype[:20]} property")
        value = number(detail, text)
        signal = _UNITS.get(spec.unit)
        if spec.unit == "°F":
            value = round((value - 32.0) * 5.0 / 9.0, 2)
        elif spec.unit in _ENERGY:
            signal, value = Signal.ENERGY_KWH, value * _ENERGY[spec.unit]
        elif spec.unit == "%" and "humid" in prop:
            signal = Signal.HUMIDITY_PCT
        elif spec.unit == "%" and "battery" in prop:
            signal = Signal.BATTERY_PCT
        if signal is None:
            return Ignored(f"a Homie number in {spec.unit[:10] or 'no unit'}: nothing Veille reads")
        return Message(source, (Reading(signal, value, None, detail),))

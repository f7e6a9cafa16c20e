"""Home Assistant MQTT discovery: learn devices from ``<prefix>/.../config``, then read the
state topics those configs name.

Discovery is how most devices announce themselves on a home broker (Zigbee2MQTT with
``homeassistant.enabled``, ESPHome by default, Tasmota with SetOption19 1, OpenMQTTGateway).
A config names a ``state_topic``, a ``device_class``, ``payload_on``/``payload_off``, a
``value_template`` and availability topics; keys may be abbreviated (``stat_t``,
``dev_cla``...) and ``~`` stands for a base topic. Both forms are read: one entity per
``<prefix>/<component>/[<node_id>/]<object_id>/config``, and the device-based
``<prefix>/device/<object_id>/config`` with its components under ``cmps``. An empty payload
removes the entity.

Only the templates real devices use are evaluated: ``{{ value }}``, ``{{ value_json.x }}``
and ``{{ value_json["x"] }}`` (one level or dotted). Anything else is left unread and the
config says so (`unsupported`), never guessed. Each device is one source,
``ha:<first device identifier>``; its area and device classes become suggestions for the
person who assigns it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from devices.fields import json_object, number
from devices.signals import DecodeError, DeviceKind, Ignored, Message, Reading, Room, Signal

# Home Assistant's abbreviations (homeassistant/components/mqtt/abbreviations.py), the ones
# a config needs to be read.
_ABBREVIATIONS = {
    "stat_t": "state_topic",
    "dev_cla": "device_class",
    "val_tpl": "value_template",
    "pl_on": "payload_on",
    "pl_off": "payload_off",
    "avty_t": "availability_topic",
    "avty": "availability",
    "pl_avail": "payload_available",
    "pl_not_avail": "payload_not_available",
    "uniq_id": "unique_id",
    "unit_of_meas": "unit_of_measurement",
    "dev": "device",
    "cmps": "components",
    "p": "platform",
    "t": "topic",
    "ids": "identifiers",
    "sa": "suggested_area",
    "mf": "manufacturer",
    "mdl": "model",
    "o": "origin",
}
OWN_ORIGIN = "Veille"  # the status Veille publishes about each home (alerts/homeassistant.py)
_BINARY = {
    "motion": Signal.MOTION,
    "occupancy": Signal.MOTION,  # HA's PIRs and mmWave sensors alike: wiring makes mats occupancy
    "presence": Signal.MOTION,
    "door": Signal.CONTACT_OPEN,  # HA: on = open
    "window": Signal.CONTACT_OPEN,
    "opening": Signal.CONTACT_OPEN,
    "garage_door": Signal.CONTACT_OPEN,
    "moisture": Signal.WATER_LEAK,
    "vibration": Signal.VIBRATION,
}
_SENSORS = {
    "temperature": Signal.TEMPERATURE_C,
    "humidity": Signal.HUMIDITY_PCT,
    "battery": Signal.BATTERY_PCT,
    "power": Signal.POWER_W,
    "energy": Signal.ENERGY_KWH,
}
_SCALE = {("energy", "Wh"): 0.001, ("power", "kW"): 1000.0}
_KIND_OF = {
    Signal.MOTION: DeviceKind.MOTION,
    Signal.CONTACT_OPEN: DeviceKind.CONTACT,
    Signal.WATER_LEAK: DeviceKind.LEAK,
    Signal.VIBRATION: DeviceKind.VIBRATION,
    Signal.POWER_W: DeviceKind.POWER,
    Signal.TEMPERATURE_C: DeviceKind.TEMPERATURE,
}
_TEMPLATE = re.compile(
    r"\{\{\s*(value|value_json((?:\.[A-Za-z_][A-Za-z0-9_]*|\[\s*[\"'][^\"']+[\"']\s*\])+))\s*\}\}"
)
_KEY = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*[\"']([^\"']+)[\"']\s*\]")
_ROOMS = {r.value: r for r in Room} | {"living room": Room.LIVING, "lounge": Room.LIVING}


@dataclass(frozen=True, slots=True)
class Entity:
    """One discovered entity Veille can read."""

    source: str
    component: str  # binary_sensor, sensor
    signal: Signal | None  # None: a binary sensor without a class, a neutral input
    path: tuple[str, ...] | None  # keys into value_json; None: the raw value
    payload_on: str = "ON"
    payload_off: str = "OFF"
    unit: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class Availability:
    source: str
    payload_available: str = "online"
    payload_not_available: str = "offline"
    path: tuple[str, ...] | None = None


class HomeAssistant:
    """What discovery taught: entities by state topic, availability by topic."""

    def __init__(
        self, prefix: str = "homeassistant", claimed: Callable[[str], bool] = lambda t: False
    ) -> None:
        self.prefix = prefix
        # State topics a vendor codec reads better (Zigbee2MQTT's, Tasmota's): their configs
        # are not learned, so one device is not filed under two sources.
        self._claimed = claimed
        self._head = prefix + "/"
        self.entities: dict[str, list[Entity]] = {}
        self.availability: dict[str, Availability] = {}
        self._by_config: dict[str, list[tuple[str, Entity]]] = {}
        self.version = 0  # bumped when the set of readable topics changes

    def subscriptions(self) -> list[str]:
        return [f"{self.prefix}/+/+/config", f"{self.prefix}/+/+/+/config"]

    def is_config(self, topic: str) -> bool:
        return topic.startswith(self._head) and topic.endswith("/config")

    def knows(self, topic: str) -> bool:
        return topic in self.entities or topic in self.availability

    def topics(self) -> list[str]:
        return sorted(set(self.entities) | set(self.availability))

    def decode(self, topic: str, payload: bytes) -> Message | Ignored:
        if self.is_config(topic):
            return self._config(topic, payload)
        entities = self.entities.get(topic, [])
        readings = [r for e in entities if (r := _reading(e, payload)) is not None]
        source = entities[0].source if entities else ""
        available = self.availability.get(topic)
        if available is not None:
            source = source or available.source
            readings.append(Reading(Signal.AVAILABLE, _available(available, payload)))
        if not source:
            raise DecodeError(f"no discovery config names {topic[:120]!r}")
        return Message(source, tuple(readings))

    def _config(self, topic: str, payload: bytes) -> Message | Ignored:
        self._forget(topic)
        if not payload.strip():
            return Ignored("discovery config removed")
        config = _expand(json_object(payload, "discovery config"))
        origin = config.get("origin")
        if isinstance(origin, dict) and origin.get("name") == OWN_ORIGIN:
            return Ignored("Veille's own status, published for Home Assistant")
        component = topic[len(self._head) :].split("/", 1)[0]
        found = config.get("device")
        device: dict[str, Any] = found if isinstance(found, dict) else {}
        source = _source(device, config)
        parts = config.get("components")
        if component == "device" and isinstance(parts, dict):
            # Device-based discovery: shared keys at the root, each component's own keys win.
            shared = {k: v for k, v in config.items() if k not in ("components", "device")}
            entities = [
                (c.get("platform", ""), shared | c) for c in parts.values() if isinstance(c, dict)
            ]
        else:
            entities = [(component, config)]
        learned: list[tuple[str, Entity]] = []
        unsupported: list[str] = []
        for platform, entity_config in entities:
            entity = self._learn(str(platform), entity_config, source, unsupported)
            if entity is not None:
                learned.append(entity)
        suggestion = _suggestion(device, [e for _, e in learned])
        self._by_config[topic] = learned
        if not learned:
            why = "; ".join(unsupported) or "no entity Veille reads"
            return Ignored(f"discovery config learned nothing: {why}"[:300])
        self.version += 1
        return Message(source, (), model=str(device.get("model", ""))[:100], meta=suggestion)

    def _learn(
        self, platform: str, config: dict[str, Any], source: str, unsupported: list[str]
    ) -> tuple[str, Entity] | None:
        if platform not in ("binary_sensor", "sensor", "switch"):
            return None
        state_topic = config.get("state_topic")
        if not isinstance(state_topic, str) or not state_topic:
            return None
        if self._claimed(state_topic):
            unsupported.append(f"{state_topic[:60]} is read by its own codec")
            return None
        template = config.get("value_template")
        path = _path(template) if isinstance(template, str) else None
        if isinstance(template, str) and path is None:
            unsupported.append(f"template {template[:60]!r}")
            return None
        device_class = str(config.get("device_class") or "")
        if platform == "binary_sensor":
            signal = _BINARY.get(device_class)
            if signal is None and device_class:
                return None  # connectivity, problem, battery...: about the device, not a person
        elif platform == "switch":
            signal = Signal.SWITCH_ON  # a relay: its state
        else:
            signal = _SENSORS.get(device_class)
            if signal is None:
                return None  # illuminance, signal strength...: nothing Veille uses
        entity = Entity(
            source,
            platform,
            signal,
            path or None,
            _text(config.get("payload_on", "ON")),
            _text(config.get("payload_off", "OFF")),
            str(config.get("unit_of_measurement") or ""),
            device_class,
        )
        self.entities.setdefault(state_topic, []).append(entity)
        self.availability.update(_availabilities(config, source))
        return state_topic, entity

    def _forget(self, config_topic: str) -> None:
        # A re-sent config replaces what the previous one taught.
        for state_topic, entity in self._by_config.pop(config_topic, []):
            known = self.entities.get(state_topic, [])
            if entity in known:
                known.remove(entity)
            if not known:
                self.entities.pop(state_topic, None)
        self.version += 1


def _expand(config: dict[str, Any]) -> dict[str, Any]:
    base = config.get("~")
    expanded: dict[str, Any] = {}
    for key, value in config.items():
        key = _ABBREVIATIONS.get(key, key)
        if isinstance(value, dict):
            value = (
                _expand(value)
                if key != "components"
                else {k: _expand(v) if isinstance(v, dict) else v for k, v in value.items()}
            )
        elif isinstance(value, list):
            value = [_expand(v) if isinstance(v, dict) else v for v in value]
        if isinstance(base, str) and isinstance(value, str) and key.endswith("topic"):
            value = base + value[1:] if value.startswith("~") else value
            value = value[:-1] + base if value.endswith("~") else value
        expanded[key] = value
    return expanded


def _source(device: dict[str, Any], config: dict[str, Any]) -> str:
    ids = device.get("identifiers")
    first = ids[0] if isinstance(ids, list) and ids else ids
    ident = first or config.get("unique_id") or config.get("object_id")
    if not isinstance(ident, str | int) or not str(ident):
        raise DecodeError("discovery config names no device identifier or unique_id")
    return f"ha:{str(ident)[:100]}"


def _path(template: str) -> tuple[str, ...] | None:
    """Keys into value_json for the safe template forms; () for ``{{ value }}``."""
    match = _TEMPLATE.fullmatch(template.strip())
    if match is None:
        return None
    if match.group(1) == "value":
        return ()
    return tuple(a or b for a, b in _KEY.findall(match.group(2)))


def _availabilities(config: dict[str, Any], source: str) -> Iterator[tuple[str, Availability]]:
    on = _text(config.get("payload_available", "online"))
    off = _text(config.get("payload_not_available", "offline"))
    if isinstance(config.get("availability_topic"), str):
        yield config["availability_topic"], Availability(source, on, off)
    for item in config.get("availability") or []:
        if isinstance(item, dict) and isinstance(item.get("topic"), str):
            template = item.get("value_template")
            path = _path(template) if isinstance(template, str) else None
            yield (
                item["topic"],
                Availability(
                    source,
                    str(item.get("payload_available", on)),
                    str(item.get("payload_not_available", off)),
                    path or None,
                ),
            )


def _value(path: tuple[str, ...] | None, payload: bytes) -> object:
    if not path:
        return payload.decode("utf-8", "replace").strip()
    value: object = json_object(payload)
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _reading(entity: Entity, payload: bytes) -> Reading | None:
    value = _value(entity.path, payload)
    if value is None:
        return None  # the state message does not carry this entity's field
    if entity.component in ("binary_sensor", "switch"):
        text = _text(value)
        if text == entity.payload_on:
            on = 1.0
        elif text == entity.payload_off:
            on = 0.0
        else:
            raise DecodeError(
                f"{entity.name or 'binary sensor'} state {text[:40]!r} is neither on nor off"
            )
        return Reading(entity.signal or Signal.INPUT, on, None, entity.name)
    assert entity.signal is not None
    reading = number(entity.name, value)
    if entity.signal is Signal.TEMPERATURE_C and entity.unit == "°F":
        reading = round((reading - 32.0) * 5.0 / 9.0, 2)
    reading *= _SCALE.get((entity.name, entity.unit), 1.0)
    return Reading(entity.signal, reading, None, entity.name)


def _available(availability: Availability, payload: bytes) -> float:
    text = _text(_value(availability.path, payload))
    if text == availability.payload_available:
        return 1.0
    if text == availability.payload_not_available:
        return 0.0
    raise DecodeError(f"availability {text[:40]!r} is neither available nor not")


def _text(value: object) -> str:
    """A payload as compared: JSON booleans as ``true``/``false`` (Zigbee2MQTT's payload_on)."""
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _suggestion(device: dict[str, Any], entities: list[Entity]) -> dict[str, str]:
    """Kind and room a person assigning the device is offered (never applied by itself)."""
    suggestion: dict[str, str] = {}
    area = str(device.get("suggested_area") or "").strip().lower()
    if area:
        suggestion["suggested_room"] = (_ROOMS.get(area) or Room.OTHER).value
        suggestion["suggested_area"] = area[:60]
    kinds = [_KIND_OF[e.signal] for e in entities if e.signal in _KIND_OF]
    if kinds:
        suggestion["suggested_kind"] = kinds[0].value
    return suggestion

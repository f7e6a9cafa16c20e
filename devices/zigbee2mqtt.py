"""Zigbee2MQTT: `<base>/<friendly_name>` state objects, availability and the bridge topics.

Friendly names may contain `/` (the docs suggest ``kitchen/floor_light``), so topics are
parsed by stripping the known suffixes and the reserved ``bridge/`` subtree, never by
splitting. ``bridge/devices`` teaches the model and the units of each device; it is the only
way to know that ``energy`` is Wh on one plug and kWh on another.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from devices.fields import flag, json_object, number
from devices.signals import DecodeError, Ignored, Message, Reading, Signal

_COMMAND_SUFFIXES = ("/set", "/get")
_COMMAND = Ignored("a command to a device, published by another client")
# `<name>/action` (Home Assistant's action sensor), and `<name>/<attribute>` with
# `output: attribute_and_json`: plain-text copies of a field of the JSON state message.
_ATTRIBUTE_COPY = Ignored("a plain-text copy of one field of the device's JSON state message")
_BRIDGE = Ignored("bridge chatter (info, logging, events, responses)")
# Actions that mean "help": Tuya TS0215A_sos / TS0601_sos and IAS ACE emergency commands.
_PANIC_ACTIONS = frozenset({"emergency", "sos", "panic"})
# A vibration sensor's actions (Aqara DJT11LM): movement of the thing it is fixed to.
_VIBRATION_ACTIONS = frozenset({"vibration", "tilt", "drop"})
# Fields that make a message a sensor's: a `state` beside them is not a relay (some PIRs
# carry an on/off cluster whose state rides along in every report).
_SENSOR_FIELDS = frozenset({"occupancy", "presence", "contact", "water_leak", "vibration"})
_BOOL_FIELDS: dict[str, Signal] = {
    "occupancy": Signal.MOTION,
    "presence": Signal.MOTION,
    "water_leak": Signal.WATER_LEAK,
    "vibration": Signal.VIBRATION,
}
_NUMBER_FIELDS: dict[str, Signal] = {
    "power": Signal.POWER_W,
    "energy": Signal.ENERGY_KWH,
    "temperature": Signal.TEMPERATURE_C,
    "humidity": Signal.HUMIDITY_PCT,
    "battery": Signal.BATTERY_PCT,
    "linkquality": Signal.LINK_QUALITY,
}
# Unit conversions to Veille's units, keyed by (field, unit announced in `exposes`).
_SCALE: dict[tuple[str, str], float] = {("energy", "Wh"): 0.001, ("power", "kW"): 1000.0}


class Zigbee2MQTT:
    """One Zigbee2MQTT installation (one base topic). Keeps what `bridge/devices` taught."""

    def __init__(self, base_topic: str = "zigbee2mqtt") -> None:
        self.base_topic = base_topic
        self.models: dict[str, str] = {}
        self.units: dict[str, dict[str, str]] = {}
        self.exposed: dict[str, frozenset[str]] = {}  # properties each device exposes
        self._head = base_topic + "/"

    def subscription(self) -> str:
        return f"{self.base_topic}/#"

    def source(self, friendly_name: str) -> str:
        return f"z2m:{friendly_name}"

    def decode(self, topic: str, payload: bytes) -> Message | Ignored:
        if not topic.startswith(self._head):
            raise DecodeError(f"not under {self._head!r}: {topic!r}")
        rest = topic[len(self._head) :]
        if rest.startswith("bridge/"):
            return self._bridge(rest, payload)
        if rest.endswith(_COMMAND_SUFFIXES) or "/set/" in rest:
            return _COMMAND
        if rest.endswith("/availability"):
            name = rest.removesuffix("/availability")
            return self._message(name, (Reading(Signal.AVAILABLE, _availability(payload)),))
        if not rest:
            raise DecodeError("empty friendly name")
        if "/" in rest and payload.lstrip()[:1] != b"{":
            # A friendly name may hold '/', but a device's state is always a JSON object.
            return _ATTRIBUTE_COPY
        state = json_object(payload, "device state")
        return self._message(rest, tuple(self._readings(rest, state)))

    def _message(self, name: str, readings: tuple[Reading, ...]) -> Message:
        return Message(self.source(name), readings, model=self.models.get(name, ""))

    def _bridge(self, rest: str, payload: bytes) -> Message | Ignored:
        if rest == "bridge/state":
            # The bridge is not a registered device; its state is kept in `meta` so ingest
            # can tell "bridge offline" from "every device offline".
            state = "online" if _availability(payload) else "offline"
            return Message(f"z2m-bridge:{self.base_topic}", meta={"bridge_state": state})
        if rest == "bridge/devices":
            self._learn(payload)
            return Ignored("bridge/devices: models and units learned")
        return _BRIDGE

    def _learn(self, payload: bytes) -> None:
        try:
            devices = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise DecodeError(f"malformed bridge/devices JSON: {exc!r:.200}") from None
        if not isinstance(devices, list):
            raise DecodeError("bridge/devices must be a JSON array")
        for device in devices:
            if not isinstance(device, dict) or not isinstance(device.get("friendly_name"), str):
                continue
            name = device["friendly_name"]
            definition = device.get("definition") or {}
            if isinstance(definition, dict):
                self.models[name] = str(definition.get("model") or device.get("model_id") or "")
                exposes = definition.get("exposes") or []
                self.units[name] = dict(_exposed_units(exposes))
                self.exposed[name] = frozenset(_exposed_properties(exposes))

    def _readings(self, name: str, state: dict[str, Any]) -> Iterator[Reading]:
        at = _last_seen(state.get("last_seen"))
        units = self.units.get(name, {})
        exposed = self.exposed.get(name)
        relay = not _SENSOR_FIELDS.intersection(state) and (exposed is None or "state" in exposed)
        # Old converters (and some still) send `click` rather than `action`.
        press_key = "action" if state.get("action") else "click"
        for key, value in state.items():
            if value is None:
                continue  # Zigbee2MQTT publishes null for attributes it has not read yet
            if key in _BOOL_FIELDS:
                yield Reading(_BOOL_FIELDS[key], flag(key, value), at)
            elif key == "contact":
                # contact:true means closed; Veille stores "open" so that 1 is the event.
                yield Reading(Signal.CONTACT_OPEN, 1.0 - flag(key, value), at)
            elif key == "state" and value in ("ON", "OFF"):
                if relay:
                    yield Reading(Signal.SWITCH_ON, 1.0 if value == "ON" else 0.0, at)
            elif key == press_key:
                if not isinstance(value, str):
                    raise DecodeError(f"{key!r} must be a string, got {value!r:.40}")
                if value:  # empty actions follow every press with legacy_action_sensor
                    press = _press(value, "vibration" in state)
                    if press is not None:
                        yield Reading(press, 1.0, at, value[:200])
            elif key in _NUMBER_FIELDS:
                scale = _SCALE.get((key, units.get(key, "")), 1.0)
                yield Reading(_NUMBER_FIELDS[key], number(key, value) * scale, at)


def _press(action: str, has_vibration_field: bool) -> Signal | None:
    """What an action means: a call for help, a vibration, or a button press."""
    if action in _PANIC_ACTIONS:
        return Signal.PANIC
    if action in _VIBRATION_ACTIONS:
        # The `vibration` field, when present, already carries this event.
        return None if has_vibration_field else Signal.VIBRATION
    return Signal.BUTTON


def _exposed_properties(exposes: list[Any]) -> Iterator[str]:
    for expose in exposes:
        if isinstance(expose, dict):
            yield from _exposed_properties(expose.get("features") or [])
            if isinstance(expose.get("property"), str):
                yield expose["property"]


def _exposed_units(exposes: list[Any]) -> Iterator[tuple[str, str]]:
    for expose in exposes:
        if not isinstance(expose, dict):
            continue
        # Composite exposes (a switch, a light) nest their attributes under `features`.
        yield from _exposed_units(expose.get("features") or [])
        prop, unit = expose.get("property"), expose.get("unit")
        if isinstance(prop, str) and isinstance(unit, str):
            yield prop, unit


def _availability(payload: bytes) -> float:
    """Accept ``{"state":"online"}`` and the legacy plain ``online``/``offline``."""
    text = payload.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        body = json_object(payload)
        text = str(body.get("state", ""))
    text = text.lower()
    if text not in ("online", "offline"):
        raise DecodeError(f"availability must be online or offline, not {text[:40]!r}")
    return 1.0 if text == "online" else 0.0


def _last_seen(value: object) -> datetime | None:
    """`last_seen` is the bridge's receipt time: ISO 8601 or epoch milliseconds."""
    if value is None:
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            at = datetime.fromtimestamp(value / 1000.0, UTC)
        elif isinstance(value, str):
            at = datetime.fromisoformat(value)
        else:
            raise ValueError(value)
    except (ValueError, OverflowError, OSError):
        raise DecodeError(f"'last_seen' is not ISO 8601 or epoch ms: {value!r:.40}") from None
    # ISO_8601_local carries an offset; a bare local time would be a guess, so ignore it.
    return at if at.tzinfo is not None else None

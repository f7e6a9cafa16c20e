"""Zigbee2MQTT as configured with ``cache_state: true`` (the default) and ISO ``last_seen``.

``<base>/<home>/<device>`` carries the device's whole cached state on every report (so a
battery report repeats the last ``occupancy``: ingest must derive events from changes);
availability goes to ``<base>/<friendly>/availability`` and the hub's to
``<base>/bridge/state``, both retained. ``bridge/devices`` announces models for small runs.
"""

from __future__ import annotations

from typing import Any

from devices.signals import DeviceKind, Signal
from simulators.event import Event
from simulators.layout import Device, HomeLayout
from simulators.wire import HUB, Topics, WireMessage

MAX_ANNOUNCED_HOMES = 500  # bridge/devices stays well under ingest's 8 MiB bridge limit


class Z2mWire:
    def __init__(self, topics: Topics) -> None:
        self.base = topics.z2m_base
        self._state: dict[tuple[str, str], dict[str, Any]] = {}

    def friendly_name(self, home_id: str, device_id: str) -> str:
        return f"{home_id}/{device_id}"

    def preamble(self, layouts: list[HomeLayout]) -> list[WireMessage]:
        messages = [WireMessage(f"{self.base}/bridge/state", b'{"state":"online"}', True)]
        if len(layouts) <= MAX_ANNOUNCED_HOMES:
            devices = [self._definition(lay, d) for lay in layouts for d in lay.devices]
            messages.append(WireMessage.of_json(f"{self.base}/bridge/devices", devices, True))
        return messages

    def _definition(self, layout: HomeLayout, device: Device) -> dict[str, Any]:
        return {
            "friendly_name": self.friendly_name(layout.home_id, device.id),
            "ieee_address": f"0x{abs(hash((layout.home_id, device.id))) % 16**16:016x}",
            "power_source": "Battery" if device.on_battery else "Mains (single phase)",
            "definition": {"model": device.model, "vendor": "simulated", "exposes": []},
        }

    def messages(self, layout: HomeLayout, event: Event) -> list[WireMessage]:
        if event.device_id == HUB:
            state = "online" if event.signals.get(Signal.AVAILABLE) else "offline"
            return [WireMessage.of_json(f"{self.base}/bridge/state", {"state": state}, True)]
        name = self.friendly_name(event.home_id, event.device_id)
        topic = f"{self.base}/{name}"
        if event.raw is not None:
            return [WireMessage(topic, event.raw)]
        if event.is_availability:
            state = "online" if event.signals[Signal.AVAILABLE] else "offline"
            return [WireMessage.of_json(f"{topic}/availability", {"state": state}, True)]
        device = layout.device(event.device_id)
        cached = self._state.setdefault((event.home_id, event.device_id), {})
        cached.update(_fields(device, event))
        cached["last_seen"] = event.stamped_at.isoformat()
        return [WireMessage.of_json(topic, cached)]


def _fields(device: Device, event: Event) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for signal, value in event.signals.items():
        if signal is Signal.MOTION:
            fields["occupancy"] = value >= 1
        elif signal is Signal.OCCUPANCY:
            fields["presence"] = value >= 1
        elif signal is Signal.CONTACT_OPEN:
            fields["contact"] = value < 1  # contact:true means closed
        elif signal is Signal.POWER_W:
            fields["power"] = value
            fields["state"] = "ON"
        elif signal in (Signal.BUTTON, Signal.PANIC):
            fields["action"] = event.detail or "single"
        elif signal is Signal.BATTERY_PCT:
            fields["battery"] = value
            fields["voltage"] = round(2700 + 5 * value)  # mV, as Aqara sensors report
        elif signal is Signal.LINK_QUALITY:
            fields["linkquality"] = round(value)
        elif signal is Signal.TEMPERATURE_C:
            fields["temperature"] = value
        elif signal is Signal.HUMIDITY_PCT:
            fields["humidity"] = value
        elif signal is Signal.SWITCH_ON:
            fields["state"] = "ON" if value else "OFF"
        elif signal is Signal.VIBRATION:
            fields["vibration"] = value >= 1
        elif signal is Signal.WATER_LEAK:
            fields["water_leak"] = value >= 1
    if device.kind is DeviceKind.BUTTON and "action" not in fields:
        fields["action"] = ""  # a battery report must not repeat the last press
    return fields

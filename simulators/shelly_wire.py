"""Shelly Gen2+ JSON-RPC notifications: ``<id>/events/rpc`` and ``<id>/online``.

Plugs (Plus Plug S) report ``switch:0``, the thermometer (Plus H&T) ``temperature:0``,
``humidity:0`` and ``devicepower:0``, a door on an input (Plus i4/Uni) ``input:0`` (true =
circuit closed = door shut), a button ``NotifyEvent`` ``single_push``. ``ts`` is the event
time, UTC epoch seconds.
"""

from __future__ import annotations

from typing import Any

from devices.signals import DeviceKind, Signal
from simulators.event import Event
from simulators.layout import HomeLayout
from simulators.wire import WireMessage

_MODELS = {
    DeviceKind.POWER: "shellyplusplugs",
    DeviceKind.TEMPERATURE: "shellyplusht",
    DeviceKind.CONTACT: "shellyplusi4",
    DeviceKind.BUTTON: "shellyplusi4",
}


class ShellyWire:
    def preamble(self, layouts: list[HomeLayout]) -> list[WireMessage]:
        return []

    def device_topic(self, layout: HomeLayout, device_id: str) -> str:
        model = _MODELS.get(layout.device(device_id).kind, "shelly")
        return f"{model}-{layout.home_id}-{device_id}"

    def messages(self, layout: HomeLayout, event: Event) -> list[WireMessage]:
        src = self.device_topic(layout, event.device_id)
        if event.raw is not None:
            return [WireMessage(f"{src}/events/rpc", event.raw)]
        if event.is_availability:
            online = b"true" if event.signals[Signal.AVAILABLE] else b"false"
            return [WireMessage(f"{src}/online", online, retain=True)]
        ts = round(event.stamped_at.timestamp(), 2)
        presses = [s for s in (Signal.BUTTON, Signal.PANIC) if s in event.signals]
        if presses:
            press = {"component": "input:0", "id": 0, "event": "single_push", "ts": ts}
            params: dict[str, Any] = {"ts": ts, "events": [press]}
            return [_rpc(src, "NotifyEvent", params)]
        status = _status(event)
        if not status:
            return []
        return [_rpc(src, "NotifyStatus", {"ts": ts, **status})]


def _status(event: Event) -> dict[str, Any]:
    status: dict[str, Any] = {}
    signals = event.signals
    if Signal.POWER_W in signals:
        status["switch:0"] = {"id": 0, "output": True, "apower": signals[Signal.POWER_W]}
    if Signal.CONTACT_OPEN in signals:
        status["input:0"] = {"id": 0, "state": signals[Signal.CONTACT_OPEN] < 1}
    if Signal.TEMPERATURE_C in signals:
        celsius = signals[Signal.TEMPERATURE_C]
        status["temperature:0"] = {"id": 0, "tC": celsius, "tF": round(celsius * 9 / 5 + 32, 1)}
    if Signal.HUMIDITY_PCT in signals:
        status["humidity:0"] = {"id": 0, "rh": signals[Signal.HUMIDITY_PCT]}
    if Signal.BATTERY_PCT in signals:
        pct = signals[Signal.BATTERY_PCT]
        battery = {"V": round(2.6 + pct / 250, 2), "percent": pct}
        status["devicepower:0"] = {"id": 0, "battery": battery, "external": {"present": False}}
    if Signal.LINK_QUALITY in signals:  # Wi-Fi signal strength, dBm
        status["wifi"] = {"rssi": round(-95 + signals[Signal.LINK_QUALITY] / 255 * 60)}
    return status


def _rpc(src: str, method: str, params: dict[str, Any]) -> WireMessage:
    body = {"src": src, "dst": "veille", "method": method, "params": params}
    return WireMessage.of_json(f"{src}/events/rpc", body)

"""Tasmota with the default FullTopic ``%prefix%/%topic%/`` and topic ``tasmota_<home>_<id>``.

Plugs report ``ENERGY.Power`` and thermometers an ``AM2301`` object on ``tele/<t>/SENSOR``;
a door on a switch input reports ``Switch1`` (ON = the reed closed = the door shut, as
devices/wiring.py reads an input assigned to a door) and a button ``Button1.Action``.
Wi-Fi strength goes in ``tele/<t>/STATE``; the last will is ``tele/<t>/LWT``
``Online``/``Offline``. ``Time`` is the home's local time with no zone, as Tasmota sends it.
"""

from __future__ import annotations

from typing import Any

from devices.signals import Signal
from simulators.event import Event
from simulators.layout import HomeLayout
from simulators.wire import WireMessage


class TasmotaWire:
    def preamble(self, layouts: list[HomeLayout]) -> list[WireMessage]:
        return []

    def messages(self, layout: HomeLayout, event: Event) -> list[WireMessage]:
        topic = f"tasmota_{layout.home_id}_{event.device_id}"
        if event.raw is not None:
            return [WireMessage(f"tele/{topic}/SENSOR", event.raw)]
        if event.is_availability:
            lwt = b"Online" if event.signals[Signal.AVAILABLE] else b"Offline"
            return [WireMessage(f"tele/{topic}/LWT", lwt, retain=True)]
        local = event.stamped_at.astimezone(layout.zone).replace(tzinfo=None)
        time = local.isoformat(timespec="seconds")
        messages = []
        sensor = _sensor(event)
        if sensor:
            messages.append(WireMessage.of_json(f"tele/{topic}/SENSOR", {"Time": time, **sensor}))
        if Signal.LINK_QUALITY in event.signals:
            rssi = round(event.signals[Signal.LINK_QUALITY] / 255 * 100)
            state = {"Time": time, "Wifi": {"RSSI": rssi}}
            messages.append(WireMessage.of_json(f"tele/{topic}/STATE", state))
        return messages


def _sensor(event: Event) -> dict[str, Any]:
    signals = event.signals
    body: dict[str, Any] = {}
    if Signal.POWER_W in signals:
        body["ENERGY"] = {"Power": signals[Signal.POWER_W]}
    if Signal.TEMPERATURE_C in signals or Signal.HUMIDITY_PCT in signals:
        climate = {"Temperature": signals.get(Signal.TEMPERATURE_C)}
        if Signal.HUMIDITY_PCT in signals:
            climate["Humidity"] = signals[Signal.HUMIDITY_PCT]
        body["AM2301"] = {k: v for k, v in climate.items() if v is not None}
        body["TempUnit"] = "C"
    if Signal.CONTACT_OPEN in signals:
        body["Switch1"] = "OFF" if signals[Signal.CONTACT_OPEN] >= 1 else "ON"
    if Signal.BUTTON in signals or Signal.PANIC in signals:
        body["Button1"] = {"Action": "SINGLE"}
    return body

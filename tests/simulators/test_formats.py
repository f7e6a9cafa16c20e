"""Every format says what the event meant: encoded by the simulator, decoded by Veille's codecs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from devices.codec import Router
from devices.signals import Message, Signal
from devices.wiring import as_wired
from simulators.formats import FORMATS, WIFI_KINDS, make_wire
from simulators.layout import standard_layout
from simulators.wire import HUB, Topics
from tests.simulators.life import simulate_cues

START = datetime(2026, 3, 2, 6, tzinfo=UTC)
CUES = (
    "device_offline@+2h,device=kettle-plug,for=1h",
    "device_offline@+3h,device=living-temp,for=1h",
    "clock_late@+1h,device=front-door,by=5m",
    "hub_offline@+20h,for=10m",
)
# Signals a format cannot carry for a device of that ecosystem (Wi-Fi devices are mains
# powered on Tasmota; their Wi-Fi strength is not a Zigbee link quality).
LOST = {
    "shelly": {Signal.LINK_QUALITY},
    "tasmota": {Signal.LINK_QUALITY, Signal.BATTERY_PCT},
}


@pytest.mark.parametrize("name", FORMATS)
def test_a_day_of_events_decodes_to_what_each_event_meant(name: str) -> None:
    layout = standard_layout("fmt", "Europe/Paris")
    events, _ = simulate_cues(*CUES, start=START, days=1, home="fmt")
    wire = make_wire(name, Topics())
    router = Router()
    for message in wire.preamble([layout]):
        router.decode(message.topic, message.payload)
    checked = 0
    for event in events:
        decoded = [router.decode(m.topic, m.payload) for m in wire.messages(layout, event)]
        messages = [d for d in decoded if isinstance(d, Message)]
        if event.device_id == HUB and name != "native":  # the bridge's own state topic
            state = "online" if event.signals[Signal.AVAILABLE] else "offline"
            assert [d.meta for d in messages] == [{"bridge_state": state}]
            continue
        # What ingest stores: each reading as the registered device means it.
        hub = event.device_id == HUB
        device = None if hub else layout.device(event.device_id)
        readings = {
            wired.signal: wired
            for d in messages
            for r in d.readings
            for wired in [r if device is None else as_wired(r, device.kind, device.role)]
        }
        wifi = name in LOST and event.device_id != HUB
        wifi = wifi and device is not None and device.kind in WIFI_KINDS
        for signal, value in event.signals.items():
            if wifi and signal in LOST[name]:
                continue
            assert readings[signal].value == pytest.approx(value, abs=0.01), (event, readings)
            at = readings[signal].at
            if name != "tasmota" and signal is not Signal.AVAILABLE:  # Tasmota's Time has no zone
                assert at is not None
                assert abs(at - event.stamped_at) < timedelta(seconds=0.01)
            checked += 1
    assert checked > 500


def test_zigbee2mqtt_repeats_cached_state_and_uses_z2m_polarity() -> None:
    layout = standard_layout("z", "Europe/Paris")
    events, _ = simulate_cues(start=START, days=1, home="z")
    wire = make_wire("zigbee2mqtt", Topics(z2m_base="zigbee2mqtt"))
    door = [m for e in events if e.device_id == "front-door" for m in wire.messages(layout, e)]
    bodies = [json.loads(m.payload) for m in door]
    assert {m.topic for m in door} == {"zigbee2mqtt/z/front-door"}
    opened = next(b for b in bodies if b.get("contact") is False)  # false = open
    later = [b for b in bodies[bodies.index(opened) + 1 :] if "battery" in b]
    assert all("contact" in b for b in later)  # cache_state: the last contact is repeated

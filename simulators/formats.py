"""How an event goes on the wire: topic, payload and retain flag, per device ecosystem.

``native`` is Veille's own scheme. ``zigbee2mqtt`` publishes every device the way
Zigbee2MQTT would. ``shelly`` and ``tasmota`` publish the devices those ecosystems make (plugs,
thermometers, door inputs, buttons) their way and the rest (PIRs, pressure mats) through
Zigbee2MQTT, as a real mixed home would.
"""

from __future__ import annotations

from devices import native
from devices.signals import DeviceKind, Signal
from simulators.event import Event
from simulators.layout import HomeLayout
from simulators.shelly_wire import ShellyWire
from simulators.tasmota_wire import TasmotaWire
from simulators.wire import HUB, Topics, Wire, WireMessage
from simulators.z2m_wire import Z2mWire


class NativeWire:
    def __init__(self, topics: Topics) -> None:
        self.prefix = topics.prefix

    def preamble(self, layouts: list[HomeLayout]) -> list[WireMessage]:
        return []

    def messages(self, layout: HomeLayout, event: Event) -> list[WireMessage]:
        topic = native.topic_for(self.prefix, event.home_id, event.device_id)
        if event.raw is not None:
            return [WireMessage(topic, event.raw)]
        if event.is_availability:
            state = b"online" if event.signals[Signal.AVAILABLE] else b"offline"
            avail = native.availability_topic_for(self.prefix, event.home_id, event.device_id)
            return [WireMessage(avail, state, retain=True)]
        body = native.encode(dict(event.signals), event.stamped_at, event.detail)
        return [WireMessage(topic, body)]


# Device kinds Shelly and Tasmota make; the rest of a mixed home is Zigbee.
WIFI_KINDS = frozenset(
    {DeviceKind.POWER, DeviceKind.TEMPERATURE, DeviceKind.CONTACT, DeviceKind.BUTTON}
)


class MixedWire:
    """Wi-Fi devices through `wifi`, everything else (and the hub) through `zigbee`."""

    def __init__(self, wifi: Wire, zigbee: Wire) -> None:
        self.wifi, self.zigbee = wifi, zigbee

    def preamble(self, layouts: list[HomeLayout]) -> list[WireMessage]:
        return self.zigbee.preamble(layouts) + self.wifi.preamble(layouts)

    def messages(self, layout: HomeLayout, event: Event) -> list[WireMessage]:
        if event.device_id != HUB and layout.device(event.device_id).kind in WIFI_KINDS:
            return self.wifi.messages(layout, event)
        return self.zigbee.messages(layout, event)


def make_wire(name: str, topics: Topics) -> Wire:
    if name == "native":
        return NativeWire(topics)
    if name == "zigbee2mqtt":
        return Z2mWire(topics)
    if name == "shelly":
        return MixedWire(ShellyWire(), Z2mWire(topics))
    if name == "tasmota":
        return MixedWire(TasmotaWire(), Z2mWire(topics))
    raise ValueError(f"unknown format {name!r}; known: {', '.join(FORMATS)}")


FORMATS = ("native", "zigbee2mqtt", "shelly", "tasmota")

"""Which codec reads which topic, and what no sensor can plausibly say.

A `Router` owns one instance of each ecosystem codec (some keep per-device state, such as
Zigbee2MQTT's learned models and Shelly's overlaid status) and sends each topic to the
right one. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable

from devices import native
from devices.esphome import ESPHome
from devices.homeassistant import HomeAssistant
from devices.homie import Homie
from devices.shelly import Shelly
from devices.signals import DecodeError, Ignored, Message, Signal
from devices.tasmota import Tasmota
from devices.zigbee2mqtt import Zigbee2MQTT

MAX_PAYLOAD_BYTES = 64 * 1024
# Zigbee2MQTT's bridge/devices lists every device with its exposes: large networks publish
# hundreds of kilobytes there, legitimately.
MAX_BRIDGE_PAYLOAD_BYTES = 8 * 1024 * 1024

# Physically plausible ranges. A value outside is a broken sensor or a forged message, and
# storing it would poison learned routines, so the whole message is dead-lettered.
_BINARY = (0.0, 1.0)
RANGES: dict[Signal, tuple[float, float]] = {
    Signal.MOTION: _BINARY,
    Signal.CONTACT_OPEN: _BINARY,
    Signal.OCCUPANCY: _BINARY,
    Signal.BUTTON: _BINARY,
    Signal.PANIC: _BINARY,
    Signal.WATER_LEAK: _BINARY,
    Signal.VIBRATION: _BINARY,
    Signal.SWITCH_ON: _BINARY,
    Signal.AVAILABLE: _BINARY,
    Signal.INPUT: _BINARY,
    Signal.POWER_W: (-100.0, 100_000.0),  # small negatives: meters report noise around 0
    Signal.ENERGY_KWH: (0.0, 10_000_000.0),
    Signal.TEMPERATURE_C: (-60.0, 125.0),
    Signal.HUMIDITY_PCT: (0.0, 100.0),
    Signal.BATTERY_PCT: (0.0, 100.0),
    Signal.LINK_QUALITY: (0.0, 255.0),
}


def check_ranges(message: Message) -> None:
    """Raise `DecodeError` when any reading is outside what a real sensor can report."""
    for reading in message.readings:
        low, high = RANGES[reading.signal]
        if not low <= reading.value <= high:
            raise DecodeError(
                f"absurd value {reading.value!r} for {reading.signal.value} "
                f"(expected {low:g}..{high:g})"
            )


# A gateway (a Tasmota Zigbee coordinator, a Shelly BLU gateway) speaks for several devices
# in one message: one `Message` per device it names.
Decoded = Message | tuple[Message, ...] | Ignored
Codec = Callable[[str, bytes], Decoded]
_ROUTES_CACHED = 100_000


def covers(topic_filter: str, topic: str) -> bool:
    """Whether an MQTT subscription filter (with + and #) matches a topic."""
    want, have = topic_filter.split("/"), topic.split("/")
    for i, part in enumerate(want):
        if part == "#":
            return True
        if i >= len(have) or (part != "+" and part != have[i]):
            return False
    return len(want) == len(have)


class Router:
    """Decode any subscribed topic into what it means: messages, or `Ignored` with a reason."""

    def __init__(
        self,
        native_prefix: str = "veille",
        z2m_base_topic: str = "zigbee2mqtt",
        shelly: bool = True,
        tasmota: bool = True,
        ha_discovery_prefix: str = "homeassistant",
        esphome: bool = True,
        homie: bool = True,
    ) -> None:
        self.native_prefix = native_prefix
        self.zigbee2mqtt = Zigbee2MQTT(z2m_base_topic)
        self.shelly = Shelly() if shelly else None
        self.tasmota = Tasmota() if tasmota else None
        self.homeassistant = (
            HomeAssistant(ha_discovery_prefix, lambda t: self._vendor(t) is not None)
            if ha_discovery_prefix
            else None
        )
        self.esphome = ESPHome() if esphome else None
        self.homie = Homie() if homie else None
        self._learned_version = 0
        self._subscribed: set[str] = set()
        self._native_head = f"{native_prefix}/{native.VERSION}/"
        self._z2m_head = z2m_base_topic + "/"
        self._routes: dict[str, tuple[Codec | None, int]] = {}

    def subscriptions(self) -> list[str]:
        topics = [native.subscription(self.native_prefix), self.zigbee2mqtt.subscription()]
        if self.shelly is not None:
            topics += self.shelly.subscriptions()
        if self.tasmota is not None:
            topics += self.tasmota.subscriptions()
        if self.esphome is not None:
            topics += self.esphome.subscriptions()
        if self.homie is not None:
            topics += self.homie.subscriptions()
        if self.homeassistant is not None:
            topics += self.homeassistant.subscriptions()
        return topics

    def discovery_subscriptions(self) -> list[str]:
        return self.homeassistant.subscriptions() if self.homeassistant is not None else []

    def learned_subscriptions(self) -> list[str]:
        """Every state topic discovery taught that needed its own subscription."""
        return sorted(self._subscribed)

    def new_subscriptions(self) -> list[str]:
        """State topics discovery taught since the last call that no subscription covers."""
        if self.homeassistant is None:
            return []
        static = self.subscriptions()
        fresh = [
            t
            for t in self.homeassistant.topics()
            if t not in self._subscribed and not any(covers(f, t) for f in static)
        ]
        self._subscribed.update(fresh)
        return fresh

    def decode(self, topic: str, payload: bytes) -> Decoded:
        route = self._routes.get(topic)
        if route is None:
            route = self._route(topic)
            if len(self._routes) >= _ROUTES_CACHED:
                self._routes.clear()
            self._routes[topic] = route
        codec, limit = route
        if len(payload) > limit:
            raise DecodeError(f"payload of {len(payload)} bytes exceeds {limit}")
        if codec is None:
            raise DecodeError(f"no codec for topic {topic[:120]!r}")
        decoded = codec(topic, payload)
        ha = self.homeassistant
        if ha is not None and ha.version != self._learned_version:
            self._learned_version = ha.version
            self._routes.clear()  # topics discovery taught (or forgot) route differently now
        if type(decoded) is Message:
            for reading in decoded.readings:
                low, high = RANGES[reading.signal]
                if not low <= reading.value <= high:
                    check_ranges(decoded)  # raises, with the message's details
        elif type(decoded) is tuple:
            for message in decoded:
                check_ranges(message)
        return decoded

    def _route(self, topic: str) -> tuple[Codec | None, int]:
        """The codec and payload limit of a topic (cached: devices reuse their topics)."""
        if topic.startswith(self._z2m_head) and topic.endswith("/bridge/devices"):
            return self.zigbee2mqtt.decode, MAX_BRIDGE_PAYLOAD_BYTES
        return self._codec_for(topic), MAX_PAYLOAD_BYTES

    def _vendor(self, topic: str) -> Codec | None:
        """The codec of a topic scheme that says more than discovery would."""
        if topic.startswith(self._native_head):
            return self._native
        if topic.startswith(self._z2m_head):
            return self.zigbee2mqtt.decode
        if self.tasmota is not None and self.tasmota.matches(topic):
            return self.tasmota.decode
        return None

    def _codec_for(self, topic: str) -> Codec | None:
        vendor = self._vendor(topic)
        if vendor is not None:
            return vendor
        # Discovery knows more than a vendor's topic scheme (device class, unit): it goes first.
        ha = self.homeassistant
        if ha is not None and (ha.is_config(topic) or ha.knows(topic)):
            return ha.decode
        if self.shelly is not None and self.shelly.matches(topic):
            return self.shelly.decode
        if self.homie is not None and self.homie.matches(topic):
            return self.homie.decode
        if self.esphome is not None and self.esphome.matches(topic):
            return self.esphome.decode
        return None

    def _native(self, topic: str, payload: bytes) -> Message:
        return native.decode(self.native_prefix, topic, payload)

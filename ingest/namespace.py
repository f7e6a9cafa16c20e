"""Per-home namespaces: a home's gateways publish under `<prefix>/<home>/`, and the topic,
which the broker's ACL lets only that home's accounts use, says whose message it is.

Each gateway keeps its own topic layout below the namespace (Zigbee2MQTT's base topic
`<prefix>/<home>/zigbee2mqtt`, a Shelly's prefix `<prefix>/<home>/<device id>`, Tasmota's
full topic `<prefix>/<home>/%prefix%/%topic%/`), so the shared codecs decode what follows.
A source heard in a namespace is named `<home>/<source>`: two homes may both have a
`z2m:hall/pir`, and no home can speak for another's device.
"""

from __future__ import annotations

from dataclasses import replace

from devices.codec import Decoded, Router
from devices.signals import Message

GATEWAY_TOPICS = (
    "zigbee2mqtt/#",
    "+/events/rpc",
    "+/online",
    "+/status/+",
    "tele/+/+",
    "stat/+/+",
    "tele/+/+/SENSOR",
    "+/status",
    "+/binary_sensor/+/state",
    "+/sensor/+/state",
)


class NamespacedRouter(Router):
    """A Router that also decodes the per-home namespaces."""

    def __init__(
        self,
        prefix: str,
        z2m_base_topic: str,
        shelly: bool = True,
        tasmota: bool = True,
        ha_discovery_prefix: str = "homeassistant",
        esphome: bool = True,
        homie: bool = True,
    ) -> None:
        super().__init__(
            prefix, z2m_base_topic, shelly, tasmota, ha_discovery_prefix, esphome, homie
        )
        # A home's gateways may publish only inside its namespace, so discovery (global
        # `homeassistant/` configs) and Homie (`homie/`) stay global schemes.
        self._inner = Router(prefix, "zigbee2mqtt", ha_discovery_prefix="", homie=False)
        self._head = prefix + "/"

    def subscriptions(self) -> list[str]:
        homes = [f"{self._head}+/{t}" for t in GATEWAY_TOPICS]
        return [*super().subscriptions(), *homes]

    def decode(self, topic: str, payload: bytes) -> Decoded:
        # A topic some global scheme claims (native, a Zigbee2MQTT base topic configured
        # under the prefix) keeps its meaning; only the rest is read as `<home>/...`.
        if not topic.startswith(self._head) or self._codec_for(topic) is not None:
            return super().decode(topic, payload)
        home_id, _, inner = topic[len(self._head) :].partition("/")
        decoded = self._inner.decode(inner, payload)
        if isinstance(decoded, Message):
            return replace(decoded, source=f"{home_id}/{decoded.source}")
        if isinstance(decoded, tuple):
            return tuple(replace(m, source=f"{home_id}/{m.source}") for m in decoded)
        return decoded

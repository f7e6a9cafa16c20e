"""What goes on the wire, whatever the ecosystem: a topic, a payload, a retain flag."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Protocol

from simulators.event import Event
from simulators.layout import HomeLayout

HUB = "hub"  # pseudo device: the hub's (bridge's) own connection


@dataclass(frozen=True, slots=True)
class WireMessage:
    topic: str
    payload: bytes
    retain: bool = False

    @classmethod
    def of_json(cls, topic: str, body: object, retain: bool = False) -> WireMessage:
        """A compact JSON payload, as device firmware sends it."""
        return cls(topic, json.dumps(body, separators=(",", ":")).encode(), retain)


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str = "veille"  # Veille's native scheme
    z2m_base: str = "zigbee2mqtt"


class Wire(Protocol):
    def preamble(self, layouts: list[HomeLayout]) -> list[WireMessage]: ...

    def messages(self, layout: HomeLayout, event: Event) -> list[WireMessage]: ...

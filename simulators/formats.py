"""How an event goes on the wire: topic, payload and retain flag, per device ecosystem."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devices import native
from devices.signals import Signal
from simulators.event import Event
from simulators.layout import HomeLayout


@dataclass(frozen=True, slots=True)
class WireMessage:
    topic: str
    payload: bytes
    retain: bool = False


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str = "veille"  # Veille's native scheme
    z2m_base: str = "zigbee2mqtt"


Formatter = Callable[[HomeLayout, Event, Topics], list[WireMessage]]


def to_native(layout: HomeLayout, event: Event, topics: Topics) -> list[WireMessage]:
    topic = native.topic_for(topics.prefix, event.home_id, event.device_id)
    if event.raw is not None:
        return [WireMessage(topic, event.raw)]
    if event.is_availability:
        state = b"online" if event.signals[Signal.AVAILABLE] else b"offline"
        avail = native.availability_topic_for(topics.prefix, event.home_id, event.device_id)
        return [WireMessage(avail, state, retain=True)]
    return [WireMessage(topic, native.encode(dict(event.signals), event.stamped_at, event.detail))]


FORMATS: dict[str, Formatter] = {"native": to_native}

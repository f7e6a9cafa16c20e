"""The per-home namespace prefixes every codec's source with the home, ESPHome's included."""

from __future__ import annotations

from devices.signals import Message
from ingest.namespace import NamespacedRouter


def test_an_esphome_node_in_a_namespace_is_named_under_its_home() -> None:
    router = NamespacedRouter("veille", "zigbee2mqtt")
    topic = "veille/h1/kitchen/binary_sensor/kitchen_pir/state"
    assert any(f == "veille/+/+/binary_sensor/+/state" for f in router.subscriptions())
    decoded = router.decode(topic, b"ON")
    assert isinstance(decoded, Message)
    assert decoded.source == "h1/esphome:kitchen"


def test_a_global_scheme_keeps_its_meaning_under_the_prefix() -> None:
    router = NamespacedRouter("veille", "zigbee2mqtt")
    decoded = router.decode("veille/v1/h1/pir", b'{"signals": {"motion": 1}}')
    assert isinstance(decoded, Message)
    assert decoded.source == "native:h1/pir"

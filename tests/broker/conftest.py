"""Broker fixtures for the MQTT contract tests: each runs against a private Mosquitto and
the embedded broker, and the key ones over both MQTT 3.1.1 and MQTT 5."""

from __future__ import annotations

from collections.abc import Iterator

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import MQTTProtocolVersion

from broker.server import BrokerThread
from veille.mosquitto import Mosquitto


@pytest.fixture(params=["mosquitto", "embedded"])
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    if request.param == "mosquitto":
        broker: Mosquitto = request.getfixturevalue("private_mosquitto")
        yield broker.port
    else:
        with BrokerThread() as embedded:
            yield embedded.port


@pytest.fixture(params=[mqtt.MQTTv311, mqtt.MQTTv5], ids=["mqtt311", "mqtt5"])
def protocol(request: pytest.FixtureRequest) -> MQTTProtocolVersion:
    version: MQTTProtocolVersion = request.param
    return version

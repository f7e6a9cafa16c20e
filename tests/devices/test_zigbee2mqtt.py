"""The zigbee2mqtt codec against its payload corpus (tests/fixtures/payloads/zigbee2mqtt)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.devices.corpus import cases, run_case


@pytest.mark.parametrize("case", cases("zigbee2mqtt"))
def test_zigbee2mqtt_payload_corpus(case: dict[str, Any]) -> None:
    run_case(case)

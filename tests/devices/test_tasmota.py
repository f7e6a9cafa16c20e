"""The tasmota codec against its payload corpus (tests/fixtures/payloads/tasmota)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.devices.corpus import cases, run_case


@pytest.mark.parametrize("case", cases("tasmota"))
def test_tasmota_payload_corpus(case: dict[str, Any]) -> None:
    run_case(case)

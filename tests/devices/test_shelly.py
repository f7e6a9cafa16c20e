"""The shelly codec against its payload corpus (tests/fixtures/payloads/shelly)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.devices.corpus import cases, run_case


@pytest.mark.parametrize("case", cases("shelly"))
def test_shelly_payload_corpus(case: dict[str, Any]) -> None:
    run_case(case)

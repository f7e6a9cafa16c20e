"""The native codec against its payload corpus (tests/fixtures/payloads/native)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.devices.corpus import cases, run_case


@pytest.mark.parametrize("case", cases("native"))
def test_native_payload_corpus(case: dict[str, Any]) -> None:
    run_case(case)

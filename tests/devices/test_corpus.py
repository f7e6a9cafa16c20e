"""Every codec against the payload corpus (tests/fixtures/payloads/<ecosystem>/<case>.json).

Cases whose `origin` names a source are real payloads, verbatim; each one's `conclusion` is
what a careful ingest draws from it, and the expected readings say it precisely.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.devices.corpus import ROOT, cases, run_case

ECOSYSTEMS = sorted(p.name for p in ROOT.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", [c for e in ECOSYSTEMS for c in cases(e)])
def test_payload_corpus(case: dict[str, Any]) -> None:
    run_case(case)


def test_real_cases_say_where_they_come_from_and_what_they_mean() -> None:
    real = [c.values[0] for e in ECOSYSTEMS for c in cases(e) if "origin" in c.values[0]]
    assert len(real) >= 19
    assert all(c.get("conclusion") for c in real)

"""Incident kinds are one enumeration: every flag the detector can raise is in it, with the
severity the enumeration gives it."""

from __future__ import annotations

import re
from pathlib import Path

import analytics
from analytics.decision import INACTIVITY_KINDS, KINDS, Clearing, Kind

SOURCES = Path(analytics.__file__).parent


def test_every_kind_has_a_severity_and_a_clearing_rule() -> None:
    assert set(KINDS) == set(Kind)
    assert {r.severity for r in KINDS.values()} <= {"info", "warning", "critical"}
    assert {"inactivity", "not_up", "bathroom", "monitoring_lost"} == INACTIVITY_KINDS
    assert KINDS[Kind.PANIC].clearing == Clearing.PERSON


def test_each_flag_the_rules_write_uses_its_kinds_severity() -> None:
    written = re.compile(r'Flag\(\s*"([a-z_]+)",\s*"([a-z]+)"')
    found = {
        (kind, severity)
        for path in SOURCES.glob("*.py")
        for kind, severity in written.findall(path.read_text(encoding="utf-8"))
    }
    assert len(found) >= 5  # the literal ones: panic, no_meal, the stillness rules
    for kind, severity in found:
        assert KINDS[Kind(kind)].severity == severity, kind

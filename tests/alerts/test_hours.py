from __future__ import annotations

from datetime import datetime

import pytest

from alerts.hours import HoursError, parse_hours, within

# 2026-01-05 is a Monday.


@pytest.mark.parametrize(
    ("hours", "local", "expected"),
    [
        ("08:00-18:00", "2026-01-05 08:00", True),
        ("08:00-18:00", "2026-01-05 18:00", False),
        ("mon-fri 08:00-18:00", "2026-01-10 10:00", False),  # Saturday
        ("mon-fri 08:00-12:00 sat,sun 10:00-16:00", "2026-01-11 15:59", True),
        ("22:00-07:00", "2026-01-05 23:30", True),
        ("22:00-07:00", "2026-01-06 06:59", True),
        ("sat 22:00-07:00", "2026-01-11 06:00", True),  # Sunday morning, Saturday's night
        ("sat 22:00-07:00", "2026-01-12 06:00", False),  # Monday morning
        ("fri-mon 00:00-24:00", "2026-01-05 12:00", True),
        ("fri-mon 00:00-24:00", "2026-01-07 12:00", False),  # Wednesday
    ],
)
def test_windows_contain_local_times(hours: str, local: str, expected: bool) -> None:
    assert within(parse_hours(hours), datetime.fromisoformat(local)) is expected


@pytest.mark.parametrize("hours", ["8-18", "mon-funday 08:00-10:00", "10:00-10:00", "25:00-26:00"])
def test_malformed_hours_are_refused(hours: str) -> None:
    with pytest.raises(HoursError):
        parse_hours(hours)

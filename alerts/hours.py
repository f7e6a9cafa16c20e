"""Weekly time windows in a home's local time: volunteers' availability, quiet hours.

Grammar: ranges ``HH:MM-HH:MM`` separated by spaces, each optionally preceded by the days
it applies to (``mon-fri``, ``sat,sun``, ``tue``); without days a range applies every day.
A range that ends before it starts runs past midnight (``22:00-07:00``). Empty text means
"always" for availability and "never" for quiet hours; the caller decides.

    "mon-fri 08:00-12:00 14:00-18:00 sat 10:00-16:00"
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class HoursError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Window:
    days: frozenset[int]  # weekday numbers the window starts on, Monday = 0
    start: time
    end: time  # time(0, 0) with start > end, or 24:00 written, means midnight

    def contains(self, local: datetime) -> bool:
        t, day = local.time(), local.weekday()
        if self.start < self.end:
            return day in self.days and self.start <= t < self.end
        # Past midnight: the evening part today, or the morning part of yesterday's window.
        return (day in self.days and t >= self.start) or (
            (day - 1) % 7 in self.days and t < self.end
        )


def parse_hours(text: str) -> list[Window]:
    windows: list[Window] = []
    days = frozenset(range(7))
    for token in text.lower().split():
        if _RANGE.match(token):
            windows.append(_window(days, token))
        else:
            days = _days(token)
    return windows


def within(windows: list[Window], local: datetime) -> bool:
    return any(w.contains(local) for w in windows)


def _window(days: frozenset[int], token: str) -> Window:
    m = _RANGE.match(token)
    assert m is not None
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    start = time(h1, m1)
    end = time(0, 0) if h2 == 24 else time(h2, m2)
    if (h2 == 24 and m2) or (start == end and h2 != 24):
        raise HoursError(f"not a time range: {token!r}")
    return Window(days, start, end)


def _days(token: str) -> frozenset[int]:
    found: set[int] = set()
    for part in token.split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise HoursError(f"not days or a time range: {token!r}")
        a, b = DAYS.index(first), DAYS.index(last or first)
        found.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(b + 1)])
    return frozenset(found)

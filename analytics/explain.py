"""Plain-language wording shared by every flag: durations and local clock times."""

from __future__ import annotations

from datetime import datetime


def duration(seconds: float) -> str:
    """90 s -> '2 min'; 11400 s -> '3 h 10 min'; 2 days -> '2 days 0 h'."""
    minutes = max(0, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h" if minutes == 0 else f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h"


def clock(local: datetime) -> str:
    return local.strftime("%H:%M")


def day_kind(local: datetime) -> str:
    return "weekends" if local.weekday() >= 5 else "weekdays"

"""Bounded, validated field types for request bodies: no NUL bytes, no unbounded text,
time zones that are real IANA names."""

from __future__ import annotations

from functools import cache
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field

NO_NUL = r"^[^\x00]*$"

Text = Annotated[str, Field(max_length=200, pattern=NO_NUL)]
LongText = Annotated[str, Field(max_length=2000, pattern=NO_NUL)]


@cache
def _zones() -> frozenset[str]:
    # Legacy aliases ('localtime', 'EST5EDT', 'Cuba') resolve, but mean nothing to a family.
    return frozenset(z for z in available_timezones() if "/" in z or z == "UTC")


def _real_zone(name: str) -> str:
    if name not in _zones():
        raise ValueError(f"not an IANA time zone like Europe/Paris: {name[:64]!r}")
    return name


TimeZone = Annotated[str, Field(max_length=64), AfterValidator(_real_zone)]

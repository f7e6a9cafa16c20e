"""Simulated homes for detector tests (see `analytics.simulated`)."""

from __future__ import annotations

from analytics.decision import Decision, Flag
from analytics.simulated import START, simulate

__all__ = ["START", "flags", "simulate"]


def flags(decisions: list[Decision], kind: str | None = None) -> list[Flag]:
    return [d for d in decisions if isinstance(d, Flag) and (kind is None or d.kind == kind)]

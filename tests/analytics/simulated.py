"""Simulated homes for detector tests (see `evaluation.simulated`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from analytics.decision import Decision, Flag
from analytics.engine import HomeDetector
from analytics.home import Observation
from devices.signals import Signal
from evaluation.replay import advance
from evaluation.simulated import START, simulate

__all__ = ["START", "flags", "simulate", "two_rooms_at_once"]


def flags(decisions: list[Decision], kind: str | None = None) -> list[Flag]:
    return [d for d in decisions if isinstance(d, Flag) and (kind is None or d.kind == kind)]


def two_rooms_at_once(
    detector: HomeDetector, when: datetime, other: str = "kitchen-pir"
) -> datetime:
    """The bedroom and `other` fire a second apart, three times in ten minutes from `when`: two
    people at home, unless those sensors always fire together. Returns the last movement."""
    for minute in (0, 4, 8):
        moment = when + timedelta(minutes=minute)
        for device, at in (("bedroom-pir", moment), (other, moment + timedelta(seconds=1))):
            advance(detector, at)
            detector.observe(Observation(at, device, Signal.MOTION, 1.0, True))
    return when + timedelta(minutes=8, seconds=1)

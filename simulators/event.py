"""What the simulator emits: one device report at one simulated instant."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from devices.signals import Signal


@dataclass(frozen=True, slots=True)
class Event:
    """A device report. `at` is the true simulated time (UTC) and orders the stream.

    `device_at` is what the device's own clock stamps, when it differs (a clock running late).
    `raw` replaces the encoded payload entirely (garbage payloads). A report of
    ``{Signal.AVAILABLE: 0}`` is an availability change and goes to the availability topic.
    """

    at: datetime
    home_id: str
    device_id: str
    signals: Mapping[Signal, float]
    detail: str = ""
    device_at: datetime | None = None
    raw: bytes | None = None

    @property
    def stamped_at(self) -> datetime:
        return self.device_at or self.at

    @property
    def is_availability(self) -> bool:
        return Signal.AVAILABLE in self.signals and len(self.signals) == 1

"""What the engine decides: open a flag, or clear one. Pure values, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Flags that mean "the resident may need help because nothing moves"; activity clears them.
INACTIVITY_KINDS = frozenset({"inactivity", "not_up", "bathroom", "monitoring_lost"})


@dataclass(frozen=True, slots=True)
class Flag:
    kind: str
    severity: str  # info, warning, critical
    at: datetime
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Clear:
    kind: str
    at: datetime
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)


Decision = Flag | Clear

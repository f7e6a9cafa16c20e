"""Every home's next deadline in one numpy array, so the periodic check is a vector compare.

A home's detector computes its deadlines when an event arrives (that is where the routine
model is consulted); the periodic check then only has to find the rows whose deadline has
passed and whose rules are not paused, and looks at those homes in detail. Each row's earliest
deadline is kept up to date as deadlines are set, so the check reads one number per home.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

NEVER = np.inf


class DeadlineTable:
    def __init__(self, rules: int = 1, capacity: int = 1024) -> None:
        self.ids: list[str] = []
        self.rows: dict[str, int] = {}
        # epoch seconds; inf = nothing pending. One column per rule.
        self.deadlines = np.full((capacity, rules), NEVER)
        self.soonest = np.full(capacity, NEVER)  # per row: the minimum over its rules
        self.paused_until = np.zeros(capacity)  # declared holiday, epoch seconds

    def row(self, home_id: str) -> int:
        row = self.rows.get(home_id)
        if row is None:
            row = len(self.ids)
            if row == len(self.deadlines):
                self.deadlines = np.vstack([self.deadlines, np.full_like(self.deadlines, NEVER)])
                self.soonest = np.concatenate([self.soonest, np.full(row, NEVER)])
                self.paused_until = np.concatenate([self.paused_until, np.zeros(row)])
            self.ids.append(home_id)
            self.rows[home_id] = row
        return row

    def set(self, home_id: str, deadline: datetime | None, rule: int = 0) -> None:
        row = self.row(home_id)  # first: it may grow (replace) the array
        self.deadlines[row, rule] = NEVER if deadline is None else deadline.timestamp()
        self.soonest[row] = self.deadlines[row].min()

    def fill(self, deadlines: npt.NDArray[np.float64]) -> None:
        """Every row's deadlines at once (epoch seconds, one column per rule)."""
        self.deadlines = deadlines
        self.soonest = deadlines.min(axis=1)

    def pause(self, home_id: str, until: datetime | None) -> None:
        row = self.row(home_id)
        self.paused_until[row] = 0.0 if until is None else until.timestamp()

    def due_rows(self, now_s: float) -> npt.NDArray[np.intp]:
        """Rows with a passed deadline and no pause: the vectorised periodic check."""
        n = len(self.ids)
        return np.flatnonzero((self.soonest[:n] <= now_s) & (self.paused_until[:n] <= now_s))

    def due(self, now: datetime) -> list[str]:
        return [self.ids[i] for i in self.due_rows(now.timestamp())]

    def earliest(self) -> datetime | None:
        n = len(self.ids)
        value = float(self.soonest[:n].min()) if n else NEVER
        return None if value == NEVER else datetime.fromtimestamp(value, UTC)

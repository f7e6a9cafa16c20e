"""`veille bench detector`: the periodic check over a million homes, and the backtest of
every shared dataset."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import numpy as np

from analytics.deadlines import DeadlineTable
from analytics.engine import HomeDetector
from analytics.rules import RULES
from devices.datasets import load_home
from evaluation.replay import home_config, observations, replay
from evaluation.scoring import SHARED, SINGLE

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def synthetic_table(homes: int, seed: int = 1) -> DeadlineTable:
    """A table as a live deployment would hold it: one column per rule, most deadlines
    hours ahead, a few just passed, some rules idle, some homes on holiday."""
    rng = np.random.default_rng(seed)
    table = DeadlineTable(rules=len(RULES), capacity=homes)
    table.ids = [f"h{i}" for i in range(homes)]
    now = NOW.timestamp()
    deadlines = now + rng.exponential(3 * 3600.0, size=(homes, len(RULES))) - 60.0
    deadlines[rng.random((homes, len(RULES))) < 0.5] = np.inf
    table.fill(deadlines)
    table.paused_until = np.where(rng.random(homes) < 0.02, now + 86400.0, 0.0)
    return table


def time_check(table: DeadlineTable, repeat: int = 7) -> tuple[float, int]:
    """Median milliseconds of one vectorised check, and how many homes were due."""
    now = NOW.timestamp()
    times, due = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        due = len(table.due_rows(now))
        times.append((time.perf_counter() - start) * 1000)
    return float(np.median(times)), due


def time_backtest() -> tuple[float, int]:
    """Seconds to replay every shared dataset through the engine, and events replayed."""
    events = 0
    start = time.perf_counter()
    for name in SINGLE + SHARED:
        records, sensor_map = load_home(name)
        config = home_config(sensor_map)
        stream = list(observations(records, config))
        events += len(stream)
        replay(HomeDetector(config), stream)
    return time.perf_counter() - start, events

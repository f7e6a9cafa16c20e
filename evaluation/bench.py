"""`veille bench detector`: the periodic check over a million homes, the engine's updates per
second and memory per home on a simulated month, and the backtest of every shared dataset."""

from __future__ import annotations

import gc
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import numpy as np

from analytics.deadlines import DeadlineTable
from analytics.engine import HomeDetector
from analytics.home import Observation
from analytics.rules import RULES
from devices.datasets import load_home
from evaluation import simulated
from evaluation.replay import advance, home_config, observations, replay
from evaluation.scoring import SHARED, SINGLE
from simulators.home import HomeSpec, Simulation

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
MONTH = timedelta(days=30)  # the engine's memory is measured after this much of a home's life


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


def simulated_month(seed: int = 1) -> list[Observation]:
    """30 days of the standard simulated home, every report judged (activity or not)."""
    home = simulated.layout()
    sim = Simulation(HomeSpec(home, seed=seed), simulated.START, simulated.START + MONTH)
    return list(simulated.observations(sim.events()))


def _live_month(stream: list[Observation]) -> HomeDetector:
    detector = HomeDetector(simulated.config_of(simulated.layout()))
    replay(detector, stream)
    advance(detector, simulated.START + MONTH)
    return detector


def events_per_s(stream: list[Observation]) -> float:
    """Engine updates a second in one process: every report observed, every deadline checked."""
    start = time.perf_counter()
    _live_month(stream)
    return len(stream) / (time.perf_counter() - start)


def bytes_per_home(stream: list[Observation], homes: int = 4) -> float:
    """What `homes` detectors still hold after a month each, over `homes`: every allocation
    they keep (routine arrays, state, history), the shared input stream excluded."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [_live_month(stream) for _ in range(homes)]
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(kept) == homes  # alive until measured
    return held / homes

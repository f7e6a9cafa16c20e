"""Runs simulations: builds the homes, paces events against a clock, sends them to a sink.

`run_simulation` is the library entry point (``veille up --demo`` runs it in a thread);
``veille simulate`` builds `SimOptions` from its arguments and calls it.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import resource
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Protocol

from devices.datasets import load_map
from simulators.clock import WarpedClock
from simulators.event import Event
from simulators.formats import make_wire
from simulators.home import HomeSpec, Simulation
from simulators.layout import HomeLayout, standard_layout
from simulators.replay import Replay, replay_layout
from simulators.resident import ResidentParams
from simulators.scenario import GroundTruth
from simulators.scenarios import expand, parse_cue
from simulators.sink import FileSink, MqttSink, Sink
from simulators.wire import Topics

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class SimOptions:
    home_id: str = "demo"
    homes: int = 1  # more than one: ids <home_id>-00001, ... with varied residents
    seed: int = 0
    start: datetime | None = None  # simulated time when live play begins; default: now
    days: float | None = None  # days played from `start`; default 1, or all of a replay
    history_days: float = 0.0  # days before `start`, published as fast as possible first
    speed: float | None = 1.0  # simulated s per real s; None: as fast as possible
    anchor: datetime | None = None  # wall time at which simulated time is `start`
    cues: tuple[str, ...] = ()  # scenario cues, NAME[@WHEN][:ROOM], applied to every home
    cue_homes: int | None = None  # apply the cues to the first N homes only (load tests)
    replay: str | None = None  # a dataset home (devices.datasets.HOMES) instead of residents
    format: str = "native"
    out: Path | None = None  # JSON lines file instead of MQTT
    ground_truth: Path | None = None
    timezone: str = "Europe/Paris"
    topics: Topics = field(default_factory=Topics)
    client_id: str = "veille-simulator"


@dataclass
class Stats:
    homes: int = 0
    events: int = 0
    messages: int = 0
    wall_s: float = 0.0
    first_at: datetime | None = None
    last_at: datetime | None = None
    max_lag_s: float = 0.0  # how far behind its clock live publishing fell, at worst
    peak_rss_mb: float = 0.0
    truth: list[GroundTruth] = field(default_factory=list)

    @property
    def events_per_s(self) -> float:
        return self.events / self.wall_s if self.wall_s > 0 else 0.0


def home_ids(options: SimOptions) -> list[str]:
    if options.homes == 1:
        return [options.home_id]
    return [f"{options.home_id}-{n:05d}" for n in range(1, options.homes + 1)]


def layouts(options: SimOptions) -> list[HomeLayout]:
    """The simulated homes, so the caller can register them (and their devices) first."""
    if options.replay:
        return [replay_layout(load_map(options.replay), options.home_id)]
    return [standard_layout(home_id, options.timezone) for home_id in home_ids(options)]


class Source(Protocol):
    """Where a home's events come from: a simulated resident or a replayed dataset."""

    @property
    def layout(self) -> HomeLayout: ...

    @property
    def truth(self) -> list[GroundTruth]: ...

    def events(self) -> Iterator[Event]: ...


def resident_params(seed: int, home_id: str, varied: bool) -> ResidentParams:
    """The default resident, or one with its own habits when many homes are simulated."""
    if not varied:
        return ResidentParams()
    rng = random.Random(f"{seed}/{home_id}/resident")
    return ResidentParams(
        wake_h=rng.uniform(6.0, 9.0),
        wake_spread_min=rng.uniform(10, 40),
        bed_h=rng.uniform(21.0, 23.5),
        night_trips=rng.uniform(0.3, 2.5),
        outing_prob=rng.uniform(0.3, 0.9),
        outing_h=rng.uniform(0.75, 3.0),
        nap_prob=rng.uniform(0.1, 0.8),
    )


def build_sources(options: SimOptions, live_start: datetime) -> list[Source]:
    start = live_start - timedelta(days=options.history_days)
    if options.replay:
        first_day = start.astimezone(layouts(options)[0].zone).date()
        until = None if options.days is None else live_start + timedelta(days=options.days)
        return [Replay(options.replay, options.home_id, first_day, until)]
    end = live_start + timedelta(days=1.0 if options.days is None else options.days)
    varied = options.homes > 1
    sims: list[Source] = []
    cued = options.homes if options.cue_homes is None else options.cue_homes
    texts = expand(options.cues)
    for n, layout in enumerate(layouts(options)):
        chosen = texts if n < cued else []
        cues = tuple(parse_cue(c, live_start, layout.zone) for c in chosen)
        params = resident_params(options.seed, layout.home_id, varied)
        spec = HomeSpec(layout, params, options.seed, cues)
        sims.append(Simulation(spec, start, end))
    return sims


def run_simulation(
    options: SimOptions,
    mqtt_url: str,
    stop: threading.Event | None = None,
    wall: Callable[[], datetime] = utc_now,
) -> Stats:
    """Play the simulation into MQTT (or `options.out`) until done or `stop` is set."""
    stop = stop or threading.Event()
    begun = wall()
    live_start = options.start or begun
    sims = build_sources(options, live_start)
    by_home = {s.layout.home_id: s.layout for s in sims}
    wire = make_wire(options.format, options.topics)
    sink: Sink = FileSink(options.out) if options.out else MqttSink(mqtt_url, options.client_id)
    truth_out = open(options.ground_truth, "w") if options.ground_truth else None  # noqa: SIM115
    stats = Stats(homes=len(sims))
    stream = _merged(sims)
    # Priming every home's generators takes seconds for 10,000 homes: do it before anchoring.
    first = next(stream, None)
    clock = None
    if options.speed is not None:
        clock = WarpedClock(live_start, options.anchor or wall(), options.speed)
    started = time.monotonic()
    try:
        sink.send(None, wire.preamble(list(by_home.values())))
        for event in itertools.chain([first] if first else [], stream):
            if clock is not None:
                now = wall()
                delay = clock.delay_s(event.at, now)
                if delay > 0 and stop.wait(delay):
                    break
                if event.at >= live_start:  # history is meant to be late
                    lag = (now - clock.wall_at(event.at)).total_seconds()
                    stats.max_lag_s = max(stats.max_lag_s, lag)
            if stop.is_set():
                break
            messages = wire.messages(by_home[event.home_id], event)
            sink.send(event, messages)
            stats.events += 1
            stats.messages += len(messages)
            stats.first_at = stats.first_at or event.at
            stats.last_at = event.at
            if stats.events % 5000 == 0:
                _collect_truth(sims, stats, truth_out)
    finally:
        sink.close()
        _collect_truth(sims, stats, truth_out)
        if truth_out is not None:
            truth_out.close()
        stats.wall_s = time.monotonic() - started
        stats.peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log.info("simulated %d events for %d homes in %.1f s", stats.events, stats.homes, stats.wall_s)
    return stats


def _merged(sims: list[Source]) -> Iterator[Event]:
    return heapq.merge(*(s.events() for s in sims), key=lambda e: e.at)


def _collect_truth(sims: list[Source], stats: Stats, out: IO[str] | None) -> None:
    known = {(t.home_id, t.scenario, t.began_at) for t in stats.truth}
    for sim in sims:
        for truth in sim.truth:
            if (truth.home_id, truth.scenario, truth.began_at) not in known:
                stats.truth.append(truth)
                if out is not None:
                    out.write(truth.to_json() + "\n")
                    out.flush()

"""The hindsight bounds of `veille eval`: how soon any detector could have called, at no false
alert, if it had known in advance the longest quiet spell the home would have in each place
and 3-hour block of the day. It uses the future, so it is a yardstick for the targets, not a
detector: a silence injected where the home later sits still for 2 h cannot be told from
that sitting before 2 h have passed.

The targets allow some false alerts (one per home-month), so a second bound also knows which
quiet spells to sacrifice: `spend` lowers, one false alert at a time, the limit whose lowering
saves the most minutes of daytime delay over the injections, until the allowance is spent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from analytics.engine import HomeDetector
from analytics.home import HomeConfig, Observation, Place
from analytics.routine import RoutineModel
from evaluation.replay import replay

BLOCK_HOURS = 3
MARGIN_S = 60.0  # one minute past the longest: no false alert by construction


class SilenceLog(RoutineModel):
    """A routine model that also keeps every quiet spell it learns."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[datetime, Place, float]] = []  # local start, place, seconds

    def learn_silence(
        self, start_local: datetime, place: Place, duration_s: float, device: str | None = None
    ) -> None:
        self.log.append((start_local, place, duration_s))
        super().learn_silence(start_local, place, duration_s, device)


@dataclass(frozen=True, slots=True)
class Start:
    """Where and when the silence an injection prolongs began, as Veille saw it."""

    local: datetime
    place: Place
    elapsed_s: float  # quiet already when the injection began


def start_of(detector: HomeDetector, at: datetime) -> Start | None:
    """None while Veille holds the resident out: no stillness rule could apply."""
    st = detector.state
    if st.last_at is None or st.left_at() is not None:
        return None
    return Start(st.local(st.last_at), st.context, (at - st.last_at).total_seconds())


Cell = tuple[Place, int]  # a place and a 3-hour block of the local day


@dataclass(slots=True)
class Yardstick:
    """One recording, as the hindsight bounds see it."""

    spells: dict[Cell, list[float]] = field(default_factory=dict)  # seconds, longest first
    # per injection: its kind (`Injection.kind`), cell (None while held out) and quiet already
    starts: list[tuple[str, Cell | None, float]] = field(default_factory=list)


def yardstick(
    config: HomeConfig,
    stream: Sequence[Observation],
    starts: Sequence[tuple[str, Start | None]],
) -> Yardstick:
    """Every quiet spell of the recording by cell, and where each injection (kind, start)
    fell. A replay of its own rather than a log kept by the evaluated detector: that one is
    deep-copied at every injection, and a log growing to thousands of spells with it."""
    model = SilenceLog()
    replay(HomeDetector(config, model), stream)
    yard = Yardstick()
    for local, place, seconds in model.log:
        yard.spells.setdefault((place, local.hour // BLOCK_HOURS), []).append(seconds)
    for spells in yard.spells.values():
        spells.sort(reverse=True)
    yard.starts = [
        (kind, None, 0.0)
        if s is None
        else (kind, (s.place, s.local.hour // BLOCK_HOURS), s.elapsed_s)
        for kind, s in starts
    ]
    return yard


def limit_s(yard: Yardstick, cell: Cell, spent: int = 0) -> float:
    """The cell's limit once `spent` of its longest quiet spells are given up as false alerts."""
    spells = yard.spells.get(cell, [])
    return (spells[spent] if spent < len(spells) else 0.0) + MARGIN_S


def delays(yard: Yardstick, spent: Mapping[Cell, int] | None = None) -> list[float | None]:
    """Seconds from each injection to its cell's limit."""
    spent = spent or {}
    return [
        None if cell is None else max(0.0, limit_s(yard, cell, spent.get(cell, 0)) - quiet)
        for _, cell, quiet in yard.starts
    ]


def spend(yards: Sequence[Yardstick], allowance: int) -> list[dict[Cell, int]]:
    """Per recording, how many of each cell's longest quiet spells to give up, `allowance` in
    all: greedily, each time where one more false alert saves the most daytime delay."""
    spent: list[dict[Cell, int]] = [{} for _ in yards]

    def saving(i: int, cell: Cell) -> float:
        yard, n = yards[i], spent[i].get(cell, 0)
        now, then = limit_s(yard, cell, n), limit_s(yard, cell, n + 1)
        return sum(
            max(0.0, now - quiet) - max(0.0, then - quiet)
            for kind, at, quiet in yard.starts
            if kind == "day" and at == cell
        )

    for _ in range(allowance):
        gains = [(saving(i, c), i, c) for i, yard in enumerate(yards) for c in yard.spells]
        best = max(gains, default=None)
        if best is None or best[0] <= 0.0:
            break
        _, i, cell = best
        spent[i][cell] = spent[i].get(cell, 0) + 1
    return spent


def longest_min(yards: Sequence[Yardstick], bedroom: bool) -> list[float | None]:
    """Per 3-hour block of the local day: the longest quiet spell at home, in minutes, in the
    bedroom or elsewhere (the front door's silences are absences, not counted). What the
    daytime ceilings of `analytics.stillness` rest on."""
    longest: list[float | None] = [None] * (24 // BLOCK_HOURS)
    for yard in yards:
        for (place, block), spells in yard.spells.items():
            if place == Place.ENTRANCE or (place == Place.BEDROOM) != bedroom:
                continue
            minutes = round(spells[0] / 60)
            longest[block] = max(longest[block] or 0, minutes)
    return longest

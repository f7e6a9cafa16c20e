"""The hindsight bound of `veille eval`: how soon any detector could have called, at no false
alert, if it had known in advance the longest quiet spell the home would have in each place
and 3-hour block of the day. It uses the future, so it is a yardstick for the targets, not a
detector: a silence injected where the home later sits still for 2 h cannot be told from
that sitting before 2 h have passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from analytics.engine import HomeDetector
from analytics.home import HomeConfig, Observation, Place
from analytics.replay import replay
from analytics.routine import RoutineModel

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


def delays(
    config: HomeConfig, stream: Sequence[Observation], starts: Sequence[Start | None]
) -> list[float | None]:
    """Seconds from each injection to the hindsight limit of its place and block.

    A replay of its own rather than a log kept by the evaluated detector: that one is
    deep-copied at every injection, and a log growing to thousands of spells with it."""
    model = SilenceLog()
    replay(HomeDetector(config, model), stream)
    longest: dict[tuple[Place, int], float] = {}
    for local, place, seconds in model.log:
        key = (place, local.hour // BLOCK_HOURS)
        longest[key] = max(longest.get(key, 0.0), seconds)
    return [
        None
        if start is None
        else max(
            0.0,
            longest.get((start.place, start.local.hour // BLOCK_HOURS), 0.0)
            + MARGIN_S
            - start.elapsed_s,
        )
        for start in starts
    ]

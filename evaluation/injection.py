"""Injected silences: where, in a real log, a resident could have fallen and lain still.

Daytime: uniformly random moments between 08:00 and 20:00 local when the resident is at home:
not in a door-then-silence absence, and not within 10 min of an absence that the dataset's own
labels record (`devices.datasets.absences`), since some homes' sensors keep firing while the
resident is out. A moment the labels say she is still asleep (a lie-in) is a "lie_in", scored
apart: her silence there is sleep until she should be up, so "not up" calls it, not a limit on
stillness, and it says nothing about how soon a fall in the day is found. Night: the first
movement out of the bedroom after at least 20 min in it, between 23:00 and 06:00: "got up and
did not return to bed"; not while the labels say the resident slept (a sensor firing elsewhere
then is noise, not a getting up). In both, every event after the moment is removed for up to
12 h. Where the dataset has labels, both kinds are drawn only inside the span they cover:
outside it nobody knows whether the resident was at home. Seeds are fixed per home; night
moments have a generator of their own, so the labels' absences move daytime moments only.
"""

from __future__ import annotations

import bisect
import itertools
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.home import HomeConfig, Observation, Place

WINDOW = timedelta(hours=12)
AWAY_AFTER = timedelta(minutes=10)
UNEXPLAINED_GAP = timedelta(hours=10)  # a longer daytime gap is missing data or an absence
IN_BED = timedelta(minutes=20)  # in the bedroom this long (events or not): in bed
# Labels are set by hand around the door events: keep clear of their edges.
LABEL_MARGIN = timedelta(minutes=10)

Period = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Injection:
    at: datetime  # UTC; every event after this is removed for `WINDOW`
    kind: str  # "day", "lie_in" (a daytime moment asleep) or "night"


def _activities(stream: Sequence[Observation]) -> list[Observation]:
    return [o for o in stream if o.activity]


def aware(period: Period, zone: ZoneInfo) -> Period:
    """A naive local period (as the dataset labels give it) in UTC, like `replay.observations`."""
    start, end = period
    return start.replace(tzinfo=zone).astimezone(UTC), end.replace(tzinfo=zone).astimezone(UTC)


def in_home(
    acts: Sequence[Observation],
    times: Sequence[datetime],
    config: HomeConfig,
    at: datetime,
    absences: Sequence[Period] = (),
) -> bool:
    """`absences`: aware periods in which the dataset's labels say nobody was at home."""
    if any(start - LABEL_MARGIN <= at < end + LABEL_MARGIN for start, end in absences):
        return False
    i = bisect.bisect_right(times, at) - 1
    if i < 0 or i + 1 >= len(acts):
        return False
    before, after = acts[i], acts[i + 1]
    gap = after.at - before.at
    if gap >= UNEXPLAINED_GAP:
        return False
    door = config.sensor(before.device_id).place == Place.ENTRANCE
    return not (door and gap >= AWAY_AFTER)


def plan(
    stream: Sequence[Observation],
    config: HomeConfig,
    day: int,
    night: int,
    absences: Sequence[Period] = (),
    span: Period | None = None,
    asleep: Sequence[Period] = (),
) -> list[Injection]:
    """`absences`, `span`, `asleep`: aware; the labels' absences, what they cover (None: no
    labels) and when they say the resident was asleep."""
    acts = _activities(stream)
    if len(acts) < 2:
        return []
    seed = zlib.crc32(config.home_id.encode())
    rng = random.Random(seed)
    times = [o.at for o in acts]
    start, end = times[0], times[-1] - WINDOW

    def labelled(at: datetime) -> bool:
        # Refused rather than drawn from a narrower range: the draws stay the same where the
        # labels cover the whole log.
        return span is None or span[0] <= at < span[1]

    def sleeping(at: datetime) -> bool:
        return any(start <= at <= end for start, end in asleep)

    chosen: list[Injection] = []
    awake = tries = 0
    while awake < day and tries < day * 200 and end > start:
        tries += 1
        at = start + timedelta(seconds=rng.uniform(0, (end - start).total_seconds()))
        local = at.astimezone(config.zone)
        if 8 <= local.hour < 20 and labelled(at) and in_home(acts, times, config, at, absences):
            lie_in = sleeping(at)
            chosen.append(Injection(at, "lie_in" if lie_in else "day"))
            awake += not lie_in
    candidates = []
    in_bedroom_since: datetime | None = None
    for previous, current in itertools.pairwise(acts):
        was_bed = config.sensor(previous.device_id).place == Place.BEDROOM
        if not was_bed:
            in_bedroom_since = None
        elif in_bedroom_since is None:
            in_bedroom_since = previous.at
        local = current.at.astimezone(config.zone)
        place = config.sensor(current.device_id).place
        if (
            (local.hour >= 23 or local.hour < 6)
            and place not in (Place.BEDROOM, Place.ENTRANCE)
            and in_bedroom_since is not None
            and current.at - in_bedroom_since >= IN_BED
            and current.at < end
            and labelled(current.at)
            and not sleeping(current.at)
        ):
            candidates.append(Injection(current.at, "night"))
    # Its own generator: how many daytime draws were refused must not change the nights.
    night_rng = random.Random(seed + 1)
    chosen += night_rng.sample(candidates, min(night, len(candidates)))
    return sorted(chosen, key=lambda i: i.at)

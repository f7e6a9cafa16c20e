"""One home's simulation: resident life, device liveness and scenarios, merged in time order."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from simulators.event import Event
from simulators.layout import HomeLayout
from simulators.liveness import reports
from simulators.resident import Activity, ResidentParams, activities
from simulators.scenario import Effects, GroundTruth, ScenarioSpec
from simulators.scenarios import apply_scenarios
from simulators.sensors import SensorBank


@dataclass(frozen=True, slots=True)
class HomeSpec:
    layout: HomeLayout
    params: ResidentParams = ResidentParams()  # noqa: RUF009 (frozen, so sharing is safe)
    seed: int = 0
    scenarios: tuple[ScenarioSpec, ...] = ()


# Activities ending this long before the window are skipped: sensor state (a PIR's pending
# clear) never lasts longer, and a home joining a large run late need not replay its day.
WARM_UP = timedelta(minutes=10)


class Simulation:
    """Events of one home from `start` (inclusive) to `end` (exclusive), and their truth.

    Ground truth records are appended to `truth` as the scenarios take effect while `events`
    is consumed (a fall due during an outing happens on coming home, for instance).
    """

    def __init__(self, spec: HomeSpec, start: datetime, end: datetime) -> None:
        # Everything runs in UTC; local time matters only for planning days.
        self.spec, self.start, self.end = spec, start.astimezone(UTC), end.astimezone(UTC)
        self.effects = apply_scenarios(spec.scenarios, Effects(spec.layout, spec.params))

    @property
    def layout(self) -> HomeLayout:
        return self.spec.layout

    @property
    def truth(self) -> list[GroundTruth]:
        return self.effects.truth

    def activities(self) -> Iterator[Activity]:
        layout = self.spec.layout
        first_day = self.start.astimezone(layout.zone).date() - timedelta(days=1)
        acts = activities(
            self.effects.params_for, layout.zone, self.spec.seed, layout.home_id, first_day
        )
        for transform in self.effects.activity_transforms:
            acts = transform(acts)
        return itertools.takewhile(lambda a: a.start < self.end, acts)

    def events(self) -> Iterator[Event]:
        layout = self.spec.layout
        rng = random.Random(f"{self.spec.seed}/{layout.home_id}/sensors")
        resident = _rendered(self.activities(), SensorBank(layout, rng), self.start, self.end)
        alive = reports(layout, self.spec.seed, self.start, self.effects.thermal)
        merged: Iterator[Event] = heapq.merge(resident, alive, key=lambda e: e.at)
        for transform in self.effects.event_transforms:
            merged = transform(merged)
        in_window = itertools.dropwhile(lambda e: e.at < self.start, merged)
        return itertools.takewhile(lambda e: e.at < self.end, in_window)


def _rendered(
    acts: Iterator[Activity], bank: SensorBank, start: datetime, end: datetime
) -> Iterator[Event]:
    """Render activities and yield their events in time order.

    Once an activity starting at `t` is rendered, whatever is rendered later is at or after
    `t` (its own events, or PIR clears still pending at `t`), so buffered events before `t`
    are final and can be released.
    """
    heap: list[tuple[datetime, int, Event]] = []
    counter = itertools.count()
    warm_up = start - WARM_UP
    for act in acts:
        if act.end < warm_up:
            continue  # long before the window: not worth rendering
        if act.end > end:
            # Nothing past the window is rendered, nor released: the run ends mid-activity.
            act = replace(act, end=end, final=True)
        for event in bank.render(act):
            heapq.heappush(heap, (event.at, next(counter), event))
        while heap and heap[0][0] < act.start:
            yield heapq.heappop(heap)[2]
    for event in bank.flush(end):
        heapq.heappush(heap, (event.at, next(counter), event))
    while heap:
        yield heapq.heappop(heap)[2]

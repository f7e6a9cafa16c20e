"""What each real home's own activity labels say: when nobody was at home, when the resident
was asleep, and which span the labels cover at all (outside it there is no ground truth: the
home may well be empty).

Periods are ``(start, end)`` in naive local time, on the same time base as the home's records
(`load_home`). Absences are sorted, with overlapping or touching periods merged. The span runs
from the first labelled activity's start to the last one's end, whatever the activities.

- kasteren-a/b/c: the ``leave house`` activity (id 1 in ``kasterenActData.txt`` for House A;
  the id named ``leave-house`` in ``houseX.activity_names`` for B and C).
- casas-al-smarthome: from the last line of a departure (a ``Leave_Home`` run, or once a
  ``Step_Out`` run) to the first line of the ``Enter_Home`` run that follows it.
- casas-cil-tm000: no activity labels, so no span; only the multi-day absence its README
  documents (activity stops on 13 July, resumes around 18:00 on 16 July), bounded by the
  entryway passages that open and close it.
- aras-a/b: the seconds in which both residents' label is 2, ``Going Out``.

Asleep: in bed and not up for anything else, by the labels. A sensor that fires in another
room then is noise (van Kasteren B's kitchen PIR fires while the bed mat is pressed), not the
resident getting up.

- kasteren-a/b/c: ``go to bed`` (id 10 in each house), minus every other labelled activity
  (a night's ``use toilet`` lies inside it) with `AWAKE_MARGIN` either side, since the labels
  were set by hand.
- casas-al-smarthome: runs of lines labelled ``Sleep``, first line to last.
- casas-cil-tm000: nothing labelled.
- aras-a/b: the seconds in which both residents' label is 11, ``Sleeping``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from devices.datasets.aras import SENSOR_COLUMNS, read_days
from devices.datasets.casas import parse_casas_labels
from devices.datasets.kasteren import (
    Interval,
    kasteren_activities_tl,
    kasteren_activities_ubicomp,
    read_sensor_names,
)

Period = tuple[datetime, datetime]

KASTEREN_A_LEAVE = "1"  # README_original.txt: "1: 'leave house'"
ARAS_GOING_OUT = "2"  # README_a.txt / README_b.txt: "2 Going Out"
ARAS_SLEEPING = "11"  # README_a.txt / README_b.txt: "11 Sleeping"
KASTEREN_GO_TO_BED = "10"  # kasterenActData.txt: "10:'go to bed'"; houseX.activity_names too
CASAS_SLEEP = "Sleep"
AWAKE_MARGIN = timedelta(minutes=2)
# Naive local, like the records (fromisoformat: no zone, on purpose).
TM000_ABSENCE = (
    datetime.fromisoformat("2016-07-13T07:21:11"),
    datetime.fromisoformat("2016-07-16T18:54:36"),
)


@dataclass(frozen=True, slots=True)
class Labels:
    absences: list[Period]  # nobody at home
    span: Period | None  # what the labels cover; None: the home has no labels
    asleep: list[Period] = field(default_factory=list)  # in bed, not up for anything else


def _span(labelled: Iterable[Period]) -> Period | None:
    """From the earliest start to the latest end; None if nothing is labelled."""
    periods = list(labelled)
    if not periods:
        return None
    return min(start for start, _ in periods), max(end for _, end in periods)


def _kasteren(activities: list[Interval], leave: set[str]) -> Labels:
    absences = [(a.start, a.end) for a in activities if a.id in leave]
    beds = [(a.start, a.end) for a in activities if a.id == KASTEREN_GO_TO_BED]
    up = [
        (a.start - AWAKE_MARGIN, a.end + AWAKE_MARGIN)
        for a in activities
        if a.id != KASTEREN_GO_TO_BED
    ]
    return Labels(absences, _span((a.start, a.end) for a in activities), _minus(beds, up))


def _minus(periods: Iterable[Period], holes: Iterable[Period]) -> list[Period]:
    """`periods` with every instant inside one of `holes` taken out."""
    cut = _merged(holes)
    left: list[Period] = []
    for start, end in periods:
        for hole_start, hole_end in cut:
            if hole_end <= start or hole_start >= end:
                continue
            if hole_start > start:
                left.append((start, hole_start))
            start = max(start, hole_end)
        if start < end:
            left.append((start, end))
    return left


def _kasteren_a(root: Path) -> Labels:
    path = root / "kasteren" / "houseA-ubicomp2008" / "kasterenActData.txt"
    return _kasteren(kasteren_activities_ubicomp(path), {KASTEREN_A_LEAVE})


def _tl(house: str) -> Callable[[Path], Labels]:
    def read(root: Path) -> Labels:
        folder = root / "kasteren" / "tl-benchmark"
        # Same "id<TAB>name" layout as the sensor names.
        names = read_sensor_names(folder / f"house{house}.activity_names")
        leave = {i for i, name in names.items() if name == "leave-house"}
        return _kasteren(kasteren_activities_tl(folder / f"house{house}.activities"), leave)

    return read


def _casas(root: Path) -> Labels:
    labels = parse_casas_labels(root / "casas-al-smarthome" / "data.txt")
    periods: list[Period] = []
    departure: datetime | None = None  # last line of the latest departure run
    step_out = False
    for label, group in itertools.groupby(labels, key=lambda line: line[1]):
        run = list(group)
        if label == "Enter_Home":
            if departure is not None:
                periods.append((departure, run[0][0]))
            departure = None
        elif label in ("Leave_Home", "Step_Out"):
            departure, step_out = run[-1][0], label == "Step_Out"
        elif step_out:
            # Step_Out is nearly always back in within seconds (then Other_Activity); once,
            # on 2011-07-07, Enter_Home follows it 35 min later instead of Leave_Home.
            departure = None
    asleep: list[Period] = []
    for label, group in itertools.groupby(labels, key=lambda line: line[1]):
        if label == CASAS_SLEEP:
            run = list(group)
            asleep.append((run[0][0], run[-1][0]))
    return Labels(periods, _span((at, at) for at, label in labels if label), asleep)


def _aras(house: str) -> Callable[[Path], Labels]:
    def read(root: Path) -> Labels:
        runs: dict[str, list[Period]] = {ARAS_GOING_OUT: [], ARAS_SLEEPING: []}
        covered: list[Period] = []  # each day's first to last labelled second
        for _, midnight, lines in read_days(root / "aras" / house):
            since: dict[str, datetime] = {}  # label both residents have had since then
            last_line = ""
            labelled = False
            first_s = last_s = -1  # the day's first and last labelled second
            for second, line in enumerate(lines):
                if line != last_line:  # else the same labels as the second before
                    last_line = line
                    fields = line.split()
                    labelled = len(fields) == SENSOR_COLUMNS + 2
                    both = fields[-1] if labelled and fields[-2] == fields[-1] else None
                    at = midnight + timedelta(seconds=second)
                    for label, periods in runs.items():
                        if both == label:
                            since.setdefault(label, at)
                        elif labelled and label in since:
                            periods.append((since.pop(label), at))
                if labelled:
                    first_s = first_s if first_s >= 0 else second
                    last_s = second
            for label, start in since.items():  # still on at midnight; `_merged` joins days
                runs[label].append((start, midnight + timedelta(days=1)))
            if last_s >= 0:
                at = midnight + timedelta(seconds=first_s)
                covered.append((at, midnight + timedelta(seconds=last_s + 1)))
        return Labels(runs[ARAS_GOING_OUT], _span(covered), runs[ARAS_SLEEPING])

    return read


LABELS: dict[str, Callable[[Path], Labels]] = {
    "casas-al-smarthome": _casas,
    "casas-cil-tm000": lambda root: Labels([TM000_ABSENCE], None),
    "kasteren-a": _kasteren_a,
    "kasteren-b": _tl("B"),
    "kasteren-c": _tl("C"),
    "aras-a": _aras("houseA"),
    "aras-b": _aras("houseB"),
}


def home_labels(name: str, data_root: Path) -> Labels:
    try:
        read = LABELS[name]
    except KeyError:
        raise KeyError(f"unknown dataset home {name!r}; known: {sorted(LABELS)}") from None
    labels = read(data_root)
    return Labels(_merged(labels.absences), labels.span, _merged(labels.asleep))


def _merged(periods: Iterable[Period]) -> list[Period]:
    merged: list[Period] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged

"""What each real home's own activity labels say: when nobody was at home, and which span the
labels cover at all (outside it there is no ground truth: the home may well be empty).

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
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
# Naive local, like the records (fromisoformat: no zone, on purpose).
TM000_ABSENCE = (
    datetime.fromisoformat("2016-07-13T07:21:11"),
    datetime.fromisoformat("2016-07-16T18:54:36"),
)


@dataclass(frozen=True, slots=True)
class Labels:
    absences: list[Period]  # nobody at home
    span: Period | None  # what the labels cover; None: the home has no labels


def _span(labelled: Iterable[Period]) -> Period | None:
    """From the earliest start to the latest end; None if nothing is labelled."""
    periods = list(labelled)
    if not periods:
        return None
    return min(start for start, _ in periods), max(end for _, end in periods)


def _kasteren(activities: list[Interval], leave: set[str]) -> Labels:
    absences = [(a.start, a.end) for a in activities if a.id in leave]
    return Labels(absences, _span((a.start, a.end) for a in activities))


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
    return Labels(periods, _span((at, at) for at, label in labels if label))


def _aras(house: str) -> Callable[[Path], Labels]:
    def read(root: Path) -> Labels:
        periods: list[Period] = []
        covered: list[Period] = []  # each day's first to last labelled second
        for _, midnight, lines in read_days(root / "aras" / house):
            out_since: datetime | None = None
            last_line = ""
            labelled = False
            first_s = last_s = -1  # the day's first and last labelled second
            for second, line in enumerate(lines):
                if line != last_line:  # else the same labels as the second before
                    last_line = line
                    fields = line.split()
                    labelled = len(fields) == SENSOR_COLUMNS + 2
                    out = labelled and fields[-2] == fields[-1] == ARAS_GOING_OUT
                    at = midnight + timedelta(seconds=second)
                    if out and out_since is None:
                        out_since = at
                    elif labelled and not out and out_since is not None:
                        periods.append((out_since, at))
                        out_since = None
                if labelled:
                    first_s = first_s if first_s >= 0 else second
                    last_s = second
            if out_since is not None:  # still out at midnight; `_merged` joins the next day
                periods.append((out_since, midnight + timedelta(days=1)))
            if last_s >= 0:
                at = midnight + timedelta(seconds=first_s)
                covered.append((at, midnight + timedelta(seconds=last_s + 1)))
        return Labels(periods, _span(covered))

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
    return Labels(_merged(labels.absences), labels.span)


def _merged(periods: Iterable[Period]) -> list[Period]:
    merged: list[Period] = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged

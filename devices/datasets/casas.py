"""CASAS event logs: one state change per line.

Two layouts exist and both are accepted:

- AL-Smarthome: ``2011-06-15 01:41:40.205759 Bathroom Bathroom ON Bed_Toilet_Transition``
  (space separated: date, time, sensor, optional target, state, optional activity labels).
  The sensor id is the sensor name, or ``<sensor>.<target>`` when they differ
  (``OutsideDoor.FrontDoor``), because one sensor name serves several targets. Most CASAS
  homes have no target column (``2010-11-04 00:03:50.209589 M003 ON``): the fourth field is
  then already the state.
- CIL / tm000: ``2016-07-12 00:00:30.600670<TAB>BedroomABed<TAB>ON<TAB>`` (tab separated).

`parse_casas_labels` reads the activity labels of the same lines (``Leave_Home``...).
"""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from devices.datasets.record import ParseResult, Record, parse_lines, parse_rows

_STATES = {"ON": 1.0, "OFF": 0.0, "OPEN": 1.0, "CLOSE": 0.0, "CLOSED": 0.0}


def parse_casas(path: Path | str) -> ParseResult:
    return parse_lines(path, _parse_line)


def parse_casas_labels(path: Path | str) -> list[tuple[datetime, str]]:
    """Each good line's time and activity label text ("" when it has none), in file order."""
    return [(event.at, event.label) for event in parse_rows(path, _event)]


class _Event(NamedTuple):
    at: datetime
    sensor: str
    value: float
    label: str  # the activity label column(s) after the state, space-joined


def _parse_line(line: str, result: ParseResult) -> None:
    event = _event(line, result)
    if event is not None:
        result.records.append(Record(event.at, event.sensor, event.value))


def _event(line: str, result: ParseResult) -> _Event | None:
    """One line split by the rules above; None (counted in `result`) if it is not an event."""
    if not line.strip():
        result.skip("blank line")
        return None
    if "\t" in line:
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) < 3:
            result.skip("too few columns")
            return None
        stamp, sensor, state = fields[0], fields[1].strip(), fields[2].strip()
        labels = [f.strip() for f in fields[3:]]
    else:
        fields = line.split()
        if len(fields) < 4:
            result.skip("too few columns")
            return None
        stamp = f"{fields[0]} {fields[1]}"
        if _state_value(fields[3]) is not None or len(fields) == 4:
            sensor, state, labels = fields[2], fields[3], fields[4:]  # no target column
        elif fields[2] == fields[3]:
            sensor, state, labels = fields[2], fields[4], fields[5:]
        else:
            sensor, state, labels = f"{fields[2]}.{fields[3]}", fields[4], fields[5:]
    value = _state_value(state)
    if value is None:
        result.skip(f"unknown state {state[:20]!r}")
        return None
    try:
        at = datetime.fromisoformat(stamp.strip())
    except ValueError:
        result.skip("bad timestamp")
        return None
    if not sensor:
        result.skip("empty sensor id")
        return None
    return _Event(at, sensor, value, " ".join(label for label in labels if label))


def _state_value(state: str) -> float | None:
    """ON/OFF/OPEN/CLOSE, or a reading such as a temperature; None if neither."""
    value = _STATES.get(state.upper())
    if value is not None:
        return value
    try:
        number = float(state)
    except ValueError:
        return None
    return number if math.isfinite(number) else None

"""CASAS event logs: one state change per line.

Two layouts exist and both are accepted:

- AL-Smarthome: ``2011-06-15 01:41:40.205759 Bathroom Bathroom ON Bed_Toilet_Transition``
  (space separated: date, time, sensor, target, state, activity label). The sensor id is the
  sensor name, or ``<sensor>.<target>`` when they differ (``OutsideDoor.FrontDoor``), because
  one sensor name serves several targets.
- CIL / tm000: ``2016-07-12 00:00:30.600670<TAB>BedroomABed<TAB>ON<TAB>`` (tab separated).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from devices.datasets.record import ParseResult, Record

_STATES = {"ON": 1.0, "OFF": 0.0, "OPEN": 1.0, "CLOSE": 0.0, "CLOSED": 0.0}


def parse_casas(path: Path | str) -> ParseResult:
    result = ParseResult()
    with open(path, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            result.lines += 1
            _parse_line(line, result)
    return result.sort()


def _parse_line(line: str, result: ParseResult) -> None:
    if not line.strip():
        result.skip("blank line")
        return
    if "\t" in line:
        fields = line.rstrip("\r\n").split("\t")
        if len(fields) < 3:
            result.skip("too few columns")
            return
        stamp, sensor, state = fields[0], fields[1].strip(), fields[2].strip()
    else:
        fields = line.split()
        if len(fields) < 5:
            result.skip("too few columns")
            return
        stamp = f"{fields[0]} {fields[1]}"
        sensor = fields[2] if fields[2] == fields[3] else f"{fields[2]}.{fields[3]}"
        state = fields[4]
    value = _STATES.get(state.upper())
    if value is None:
        result.skip(f"unknown state {state[:20]!r}")
        return
    try:
        at = datetime.fromisoformat(stamp.strip())
    except ValueError:
        result.skip("bad timestamp")
        return
    if not sensor:
        result.skip("empty sensor id")
        return
    result.records.append(Record(at, sensor, value))

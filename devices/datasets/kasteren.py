"""van Kasteren datasets: each sensor activation is an interval (start, end).

An interval becomes two records: value 1.0 at its start and 0.0 at its end. Sensor ids are the
dataset's numeric ids as strings (``"24"``); their names live in the home's sensor map.

- Ubicomp'08 text release (House A): a header, then
  ``25-Feb-2008 00:20:14<TAB>25-Feb-2008 00:22:57<TAB>24<TAB>1`` (CRLF line endings).
- Transfer-learning benchmark (Houses A, B, C): ``<start epoch s><TAB><duration s><TAB><id>``,
  where the epoch encodes *local* wall-clock time as if it were UTC (see the data README), so
  records are naive local times.

The activity labels (``kasterenActData.txt``, ``houseX.activities``) share each layout and time
base; `kasteren_activities_ubicomp` and `kasteren_activities_tl` read them as intervals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from devices.datasets.record import ParseResult, Record, parse_lines, parse_rows

_STAMP = "%d-%b-%Y %H:%M:%S"


class Interval(NamedTuple):
    """One sensor activation or one labelled activity, in naive local time."""

    start: datetime
    end: datetime
    id: str


def parse_kasteren_ubicomp(path: Path | str) -> ParseResult:
    result = ParseResult()
    for interval in _ubicomp_rows(path, 4, result):
        _interval(result, interval)
    return result.sort()


def kasteren_activities_ubicomp(path: Path | str) -> list[Interval]:
    """``kasterenActData.txt``: the same layout without the value column."""
    return list(_ubicomp_rows(path, 3, ParseResult()))


def _ubicomp_rows(path: Path | str, columns: int, result: ParseResult) -> Iterator[Interval]:
    in_data = False
    with open(path, encoding="latin-1") as lines:
        for line in lines:
            result.lines += 1
            text = line.strip()
            if text.startswith("Length:"):
                result.skip("footer")
                continue
            if not in_data:
                # Everything up to the dashed rule under the column titles is the header.
                in_data = text.startswith("---")
                result.skip("header")
                continue
            if not text:
                result.skip("blank line")
                continue
            fields = text.split("\t")
            if len(fields) != columns:
                result.skip("wrong column count")
                continue
            try:
                # Naive on purpose: local wall-clock time, localised later with the map.
                start = datetime.strptime(fields[0].strip(), _STAMP)  # noqa: DTZ007
                end = datetime.strptime(fields[1].strip(), _STAMP)  # noqa: DTZ007
            except ValueError:
                result.skip("bad timestamp")
                continue
            yield Interval(start, end, fields[2].strip())


def parse_kasteren_tl(sensors_path: Path | str, names_path: Path | str) -> ParseResult:
    """Parse ``houseX.sensors``; ``houseX.sensor_names`` fills `ParseResult.sensor_names`.

    Ids absent from the names file are kept: the TL conversion numbers House A's cups cupboard
    4 instead of 7 and leaves five House B sensors unnamed, yet their events are real.
    """
    result = parse_lines(sensors_path, _parse_tl_line, encoding="latin-1")
    result.sensor_names = read_sensor_names(names_path)
    return result


def kasteren_activities_tl(path: Path | str) -> list[Interval]:
    """``houseX.activities``: the same layout and time base as ``houseX.sensors``."""
    return parse_rows(path, _tl_row, encoding="latin-1")


def _parse_tl_line(line: str, result: ParseResult) -> None:
    interval = _tl_row(line, result)
    if interval is not None:
        _interval(result, interval)


def _tl_row(line: str, result: ParseResult) -> Interval | None:
    fields = line.split()
    if not fields:
        result.skip("blank line")
        return None
    if len(fields) != 3:
        result.skip("wrong column count")
        return None
    try:
        start_s, duration_s = int(fields[0]), int(fields[1])
    except ValueError:
        result.skip("non-numeric time")
        return None
    # Local wall-clock encoded as UTC: decode as UTC, then drop the zone.
    start = datetime.fromtimestamp(start_s, UTC).replace(tzinfo=None)
    return Interval(start, start + timedelta(seconds=duration_s), fields[2])


def read_sensor_names(path: Path | str) -> dict[str, str]:
    names: dict[str, str] = {}
    with open(path, encoding="latin-1") as lines:
        for line in lines:
            sensor_id, _, name = line.strip().partition("\t")
            if sensor_id:
                names[sensor_id] = name.strip()
    return names


def _interval(result: ParseResult, interval: Interval) -> None:
    if interval.end < interval.start:
        result.skip("interval ends before it starts")
        return
    result.records.append(Record(interval.start, interval.id, 1.0))
    result.records.append(Record(interval.end, interval.id, 0.0))

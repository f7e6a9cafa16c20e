"""ARAS day files: one line per second, 20 binary sensor columns and two activity labels.

Only transitions become records (a 0->1 or 1->0 change between consecutive seconds). Every
sensor is taken to be 0 before the first second of ``DAY_1``; state carries over from one day
to the next when the day numbers are consecutive and resets to 0 after a missing day.

The files carry no calendar date. ``DAY_N`` is placed on ``ARAS_DAY_1 + (N - 1) days``, an
arbitrary fixed Monday in winter (no daylight-saving change in Istanbul within 30 days).
Sensor ids come from the folder's ``README_*.txt`` column table (``Ph1``, ``co3``...), or
``col<N>`` when it cannot be read.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from devices.datasets.record import ParseResult, Record

ARAS_DAY_1 = datetime(2013, 1, 7)  # noqa: DTZ001 (naive local time, like the files)
SENSOR_COLUMNS = 20
_DAY_FILE = re.compile(r"^DAY_(\d+)\.txt(\.gz)?$")
_COLUMN_ROW = re.compile(r"^(\d+)\s+(\w+)\s+")


def parse_aras(folder: Path | str) -> ParseResult:
    folder = Path(folder)
    names = sensor_names(folder)
    result = ParseResult(sensor_names={name: name for name in names})
    state = [0] * SENSOR_COLUMNS
    previous_day = 0
    for day, midnight, lines in read_days(folder):
        if day != previous_day + 1:
            state = [0] * SENSOR_COLUMNS
        _parse_day(lines, midnight, names, state, result)
        previous_day = day
    return result


def read_days(folder: Path) -> Iterator[tuple[int, datetime, TextIO]]:
    """Each ``DAY_N`` file in day order: N, the midnight it is placed on, its open lines."""
    days = sorted(
        (int(m.group(1)), path)
        for path in folder.iterdir()
        if (m := _DAY_FILE.match(path.name)) is not None
    )
    for day, path in days:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="ascii", errors="replace") as lines:
            yield day, ARAS_DAY_1 + timedelta(days=day - 1), lines


def _parse_day(
    lines: Iterable[str],
    midnight: datetime,
    names: list[str],
    state: list[int],
    result: ParseResult,
) -> None:
    last_line = ""
    second = -1
    for line in lines:
        result.lines += 1
        second += 1
        # Most seconds repeat the previous one: skip the split when nothing changed.
        if line == last_line:
            continue
        fields = line.split()
        if len(fields) != SENSOR_COLUMNS + 2:
            result.skip("wrong column count")
            continue
        if any(v not in ("0", "1") for v in fields[:SENSOR_COLUMNS]):
            result.skip("non-binary sensor value")
            continue
        last_line = line
        at = midnight + timedelta(seconds=second)
        for column in range(SENSOR_COLUMNS):
            value = 1 if fields[column] == "1" else 0
            if value != state[column]:
                state[column] = value
                result.records.append(Record(at, names[column], float(value)))
    if second + 1 != 86_400:
        result.skip(f"day with {second + 1} lines instead of 86400")


def sensor_names(folder: Path) -> list[str]:
    names = [f"col{n}" for n in range(1, SENSOR_COLUMNS + 1)]
    for readme in sorted(folder.glob("README*.txt")):
        text = readme.read_text(encoding="latin-1")
        table = text.split("SENSOR EXPLANATIONS", 1)[-1].split("Column 21", 1)[0]
        for row in table.splitlines():
            match = _COLUMN_ROW.match(row.strip())
            if match and 1 <= int(match.group(1)) <= SENSOR_COLUMNS:
                names[int(match.group(1)) - 1] = match.group(2)
    return names

"""What a dataset parser returns: time-ordered sensor records and what it skipped, and why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import NamedTuple, TypeVar

T = TypeVar("T")


class Record(NamedTuple):
    """One sensor state change.

    `at` is naive local wall-clock time for datasets that carry no offset (CASAS, van Kasteren,
    ARAS: localise with the home map's timezone) and aware for JSON lines. `value` is 1.0 for
    on/open/pressed/occupied and 0.0 for off/closed/released.
    """

    at: datetime
    sensor: str
    value: float


@dataclass(slots=True)
class ParseResult:
    records: list[Record] = field(default_factory=list)
    # reason -> number of input lines (or cells) not turned into records
    skipped: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    # sensor id -> name given by the dataset itself, when it has one
    sensor_names: dict[str, str] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def sort(self) -> ParseResult:
        # Stable sort keeps the file order of same-instant records (e.g. a start and an end).
        self.records.sort(key=lambda r: r.at)
        return self


def merge(results: list[ParseResult]) -> ParseResult:
    skipped: Counter[str] = Counter()
    merged = ParseResult()
    for result in results:
        merged.records.extend(result.records)
        skipped.update(result.skipped)
        merged.lines += result.lines
    merged.skipped = dict(skipped)
    return merged.sort()


def parse_lines(
    path: Path | str, parse_line: Callable[[str, ParseResult], None], encoding: str = "utf-8"
) -> ParseResult:
    """Feed every line of a one-record-per-line file to `parse_line`; sorted result."""
    result = ParseResult()
    with open(path, encoding=encoding, errors="replace") as lines:
        for line in lines:
            result.lines += 1
            parse_line(line, result)
    return result.sort()


def parse_rows(
    path: Path | str, parse_row: Callable[[str, ParseResult], T | None], encoding: str = "utf-8"
) -> list[T]:
    """Every row `parse_row` makes of a file's lines, in file order (what it skips is dropped):
    a dataset's labels read with the same line rules as its records."""
    rows: list[T] = []

    def keep(line: str, result: ParseResult) -> None:
        row = parse_row(line, result)
        if row is not None:
            rows.append(row)

    parse_lines(path, keep, encoding)
    return rows

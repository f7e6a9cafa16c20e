"""Each parser turns good lines into records and counts bad ones by reason."""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

import pytest

from devices.datasets import (
    ARAS_DAY_1,
    SensorMapError,
    parse_aras,
    parse_casas,
    parse_jsonl,
    parse_kasteren_tl,
    parse_kasteren_ubicomp,
)
from devices.datasets.record import Record
from devices.datasets.sensor_map import parse_map


def test_casas_reads_both_layouts_and_counts_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "casas.txt"
    path.write_text(
        "2011-06-15 01:41:40.205759 Bathroom Bathroom ON Toilet\n"
        "2011-06-15 01:41:41.5 OutsideDoor FrontDoor CLOSE Leave_Home\n"
        "2016-07-12 00:00:30.600670\tBedroomABed\tOFF\t\n"
        "\n"
        "2011-06-15 01:41:42 Kitchen Kitchen DIMMED Cook\n"
        "2011-13-15 01:41:42 Kitchen Kitchen ON Cook\n"
        "garbage\n"
    )
    result = parse_casas(path)
    assert [(r.sensor, r.value) for r in result.records] == [
        ("Bathroom", 1.0),
        ("OutsideDoor.FrontDoor", 0.0),
        ("BedroomABed", 0.0),
    ]
    assert result.skipped == {
        "blank line": 1,
        "unknown state 'DIMMED'": 1,
        "bad timestamp": 1,
        "too few columns": 1,
    }
    assert result.lines == 7


def test_casas_accepts_lines_without_a_target_column_and_numeric_states(tmp_path: Path) -> None:
    path = tmp_path / "casas.txt"
    path.write_text(
        "2010-11-04 00:03:50.209589 M003 ON\n"
        "2010-11-04 00:03:57 M003 OFF Sleep begin\n"
        "2010-11-04 00:04:00 T001 21.5\n"
        "2010-11-04 00:04:01 D001 FrontDoor OPEN\n"
        "2010-11-04 00:04:02 M004 M004 ON Cook\n"
        "2010-11-04 00:04:03 M005 nan\n"
    )
    result = parse_casas(path)
    assert [(r.sensor, r.value) for r in result.records] == [
        ("M003", 1.0),
        ("M003", 0.0),
        ("T001", 21.5),
        ("D001.FrontDoor", 1.0),
        ("M004", 1.0),
    ]
    assert result.skipped == {"unknown state 'nan'": 1}


def test_kasteren_ubicomp_turns_an_interval_into_start_and_end(tmp_path: Path) -> None:
    path = tmp_path / "sense.txt"
    path.write_text(
        "Start time\tEnd time\tID\tVal\r\n--------\t----\t--\t---\r\n"
        "25-Feb-2008 09:33:47\t25-Feb-2008 17:21:12\t24\t1\r\n"
        "25-Feb-2008 09:33:47\t25-Feb-2008 09:33:40\t5\t1\r\n"
        "Length: 1"
    )
    result = parse_kasteren_ubicomp(path)
    assert result.records == [
        Record(datetime(2008, 2, 25, 9, 33, 47), "24", 1.0),  # noqa: DTZ001
        Record(datetime(2008, 2, 25, 17, 21, 12), "24", 0.0),  # noqa: DTZ001
    ]
    assert result.skipped == {"header": 2, "interval ends before it starts": 1, "footer": 1}


def test_kasteren_tl_reads_epochs_as_local_wall_clock(tmp_path: Path) -> None:
    sensors, names = tmp_path / "h.sensors", tmp_path / "h.sensor_names"
    sensors.write_text("1203898814\t163\t24\nx\t1\t24\n")
    names.write_text("24\tHall-Bedroom door")
    result = parse_kasteren_tl(sensors, names)
    assert result.records[0].at == datetime(2008, 2, 25, 0, 20, 14)  # noqa: DTZ001
    assert result.records[1].at == datetime(2008, 2, 25, 0, 22, 57)  # noqa: DTZ001
    assert result.skipped == {"non-numeric time": 1}
    assert result.sensor_names == {"24": "Hall-Bedroom door"}


def test_aras_emits_transitions_only_and_carries_state_across_days(tmp_path: Path) -> None:
    off, on = " ".join(["0"] * 20) + " 11 11\n", "1 " + " ".join(["0"] * 19) + " 11 11\n"
    for day, lines in ((1, [off] * 10 + [on] * 86_390), (2, [on] * 5 + [off] * 86_395)):
        with gzip.open(tmp_path / f"DAY_{day}.txt.gz", "wt") as out:
            out.writelines(lines)
    result = parse_aras(tmp_path)
    assert [(r.at - ARAS_DAY_1).total_seconds() for r in result.records] == [10, 86_405]
    assert [(r.sensor, r.value) for r in result.records] == [("col1", 1.0), ("col1", 0.0)]
    assert result.skipped == {}


def test_jsonl_keeps_activity_signals_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "sim.jsonl"
    path.write_text(
        '{"at":"2026-01-01T08:00:00+00:00","device":"pir","signals":{"motion":1,"battery_pct":80}}\n'
        '{"at":"2026-01-01T08:00:00","device":"pir","signals":{"motion":1}}\n'
        "{not json\n"
    )
    result = parse_jsonl(path)
    assert [(r.sensor, r.value) for r in result.records] == [("pir", 1.0)]
    assert result.skipped == {
        "not an activity signal": 1,
        "missing or naive 'at'": 1,
        "malformed JSON": 1,
    }


def test_sensor_map_rejects_unknown_kinds() -> None:
    body = {"timezone": "UTC", "sensors": {"x": {"kind": "laser", "room": "hall"}}}
    with pytest.raises(SensorMapError, match="laser"):
        parse_map("bad", body)

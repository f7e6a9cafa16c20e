"""Scenario cues: names, times, rooms and options; named scenario files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from simulators.layout import standard_layout
from simulators.scenario import ScenarioError
from simulators.scenarios import expand, load_named, named_files, parse_cue

START = datetime(2026, 3, 2, 6, tzinfo=UTC)
LAYOUT = standard_layout("sc", "Europe/Paris")


@pytest.mark.parametrize("cue", ["tumble@+1h", "fall@tomorrow", "fall@+2x", "fall@+1h:garage"])
def test_bad_cues_are_refused(cue: str) -> None:
    with pytest.raises(ScenarioError):
        parse_cue(cue, START, LAYOUT.zone)


def test_cue_times_are_local_unless_they_carry_an_offset() -> None:
    local = parse_cue("fall@2026-07-01T12:00", START, LAYOUT.zone)
    assert local.at == datetime(2026, 7, 1, 10, tzinfo=UTC)
    offset = parse_cue("fall@2026-07-01T12:00+00:00", START, LAYOUT.zone)
    assert offset.at == datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert parse_cue("fall", START, LAYOUT.zone).at == START + timedelta(hours=1)


def test_cue_options_and_durations_are_parsed() -> None:
    spec = parse_cue("device_offline@+2h:kitchen,device=kettle-plug,for=90m", START, LAYOUT.zone)
    assert spec.at == START + timedelta(hours=2)
    assert spec.options == {"device": "kettle-plug", "for": "90m"}
    assert spec.duration("for", 1.0) == timedelta(minutes=90)
    assert spec.duration("missing", 1.5) == timedelta(hours=1.5)


def test_named_files_expand_to_cues_that_parse() -> None:
    assert {"demo-fall", "device-trouble"} <= set(named_files())
    for name in named_files():
        description, cues = load_named(name)
        assert description
        assert [parse_cue(c, START, LAYOUT.zone).name for c in expand((name,))]
        assert expand((name,)) == cues

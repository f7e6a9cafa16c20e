"""`veille eval-decline`: the first finding is dated in days after onset, only findings that
point the way of a decline count, and the command ends with one JSON object."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import pytest

from evaluation.decline import add_arguments, first_findings, run, told_onset_z
from tests.analytics.test_trend import days


def test_a_steady_routine_has_no_first_finding() -> None:
    found = first_findings(days(56), onset=28)
    assert (found.first_day, found.first_sunday, found.feature) == (None, None, None)


def test_getting_up_an_hour_later_is_found_within_days_and_told_on_a_sunday() -> None:
    found = first_findings(days(56, wake_shift_from=28), onset=28)
    assert found.feature == "wake_h"
    assert found.first_day is not None
    assert found.first_day <= 7
    assert found.first_sunday is not None
    assert found.first_day <= found.first_sunday
    assert found.first_sunday - found.first_day < 7


def test_getting_up_earlier_is_not_a_decline() -> None:
    earlier = [
        replace(d, wake_h=d.wake_h - 1.0) if i >= 28 and d.wake_h is not None else d
        for i, d in enumerate(days(56))
    ]
    assert first_findings(earlier, onset=28).first_day is None


def test_the_command_ends_with_one_json_object(capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert run(parser.parse_args(["--seeds", "1", "--weeks", "1", "2"])) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(last) == {
        "weeks_1",
        "weeks_2",
        "night_trips_x2",
        "normal_weekly_summaries",
        "normal_stillness_alerts_per_home_month",
        "detectable_cases",
        "found_when_detectable",
        "two_week_found_by_day_10",
        "false_findings_per_home_quarter",
    }
    assert len(last["weeks_1"]["first_day"]) == 1
    assert set(last["night_trips_x2"]["found_by_day"]) == {"10", "14", "21"}
    two_week = last["weeks_2"]
    assert last["two_week_found_by_day_10"] == two_week["within_10_days"]
    assert two_week["found_by_day"]["10"] <= two_week["found_by_day"]["21"]
    assert last["normal_weekly_summaries"] == 9
    assert 0 <= last["normal_stillness_alerts_per_home_month"] <= 1  # the target, simulated


def test_the_told_onset_yardstick_sees_a_ramp_and_not_a_steady_routine() -> None:
    steady = days(38)
    onset = steady[28].day
    ramped = [
        replace(d, wake_h=d.wake_h + max((d.day - onset).days, 0) / 14)
        for d in steady
        if d.wake_h is not None
    ]
    flat, ramp = told_onset_z(steady, onset, 2.0), told_onset_z(ramped, onset, 2.0)
    assert flat is not None
    assert ramp is not None
    assert abs(flat) < 2
    assert ramp > 3
    assert told_onset_z(steady[:28], onset, 2.0) is None  # nothing after the onset yet

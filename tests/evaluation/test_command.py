"""The eval and bench commands keep their contract: tables, then one JSON object last."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from evaluation.command import bench_add_arguments, bench_run, eval_add_arguments, eval_run
from evaluation.scoring import SINGLE


def parse(add: Callable[[argparse.ArgumentParser], None], argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add(parser)
    return parser.parse_args(argv)


@pytest.mark.slow
@pytest.mark.timeout(600)  # every real home, 13 detectors: about 2 min on 2 cores
def test_eval_prints_tables_and_ends_with_one_json_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "eval.json"
    assert (
        eval_run(parse(eval_add_arguments, ["--day", "4", "--night", "4", "--out", str(out)])) == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert any(line.startswith("single-resident homes") for line in lines)
    last = json.loads(lines[-1])
    assert last.pop("protocol") == "leave-one-home-out"
    assert set(last) == {"veille", "timer_4h_day", "timer_12h", "slot_max_cuddihy"}
    keys = {"false_alerts_per_home_month", "recall", "delay_min_p50", "delay_min_p90"}
    for figures in last.values():
        assert keys <= set(figures)
        assert set(figures["homes"]) == set(SINGLE)
        # Every stillness false alert is in the per-kind rates, with the information ones.
        months = figures["false_alerts_per_home_month"]
        assert sum(figures["false_alerts_by_kind"].values()) >= months - 0.05
    for baseline in ("timer_4h_day", "timer_12h", "slot_max_cuddihy"):
        assert set(last[baseline]["veille_at_equal_false_alerts"]) == keys
    report = json.loads(out.read_text())
    # Each single-resident home is scored with ceilings fitted on the others only.
    held_out = report["calibration"]
    assert held_out["casas-al-smarthome"] != held_out["kasteren-a"]
    assert set(report["homes"]) >= {"casas-al-smarthome", "kasteren-a", "aras-a"}
    assert set(report["veille_false_alerts"]) == set(report["homes"])
    assert set(report["veille_at_equal_false_alerts"]) == {
        "timer_4h_day",
        "timer_12h",
        "slot_max_cuddihy",
    }
    # The bound that spends the allowance: at most one false alert per home-month, in all.
    spending = report["single_resident"]["hindsight_spending"]
    assert spending["false_alerts"] <= spending["home_months"]
    assert report["longest_quiet_spells_min"].keys() == report["homes"].keys()
    casas = report["longest_quiet_spells_min"]["casas-al-smarthome"]
    assert len(casas["bedroom"]) == len(casas["elsewhere"]) == 8
    assert any(line.startswith("Longest quiet spell at home") for line in lines)


def test_bench_reports_homes_and_check_ms(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_run(parse(bench_add_arguments, ["--homes", "20000", "--no-backtest"])) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["homes"] == 20000
    assert last["check_ms"] > 0
    assert last["events_per_s"] > 0
    # A month of routine, state and history is far more than an empty detector's few KiB.
    assert last["bytes_per_home"] > 16 * 1024

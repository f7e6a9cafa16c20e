"""``veille simulate`` options, end to end into a file, and the catalogue listing."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from devices.datasets import parse_jsonl
from simulators import command
from simulators.scenarios import SCENARIOS, named_files


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.add_arguments(parser)
    return parser.parse_args(argv)


def test_list_scenarios_names_every_scenario_and_named_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert command.run(_args("--list-scenarios"), "mqtt://unused") == 0
    out = capsys.readouterr().out
    assert all(f"  {name} " in out for name in SCENARIOS)
    assert all(f"  {name} " in out for name in named_files())


def test_fast_run_into_a_file_with_a_named_scenario_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, truth = tmp_path / "events.jsonl", tmp_path / "truth.jsonl"
    argv = ["--fast", "--days", "1", "--start", "2026-03-02T06:00", "--seed", "3"]
    argv += ["--scenario", "device-trouble", "--scenario", "fall@+20h:bathroom"]
    argv += ["--out", str(out), "--ground-truth", str(truth), "--format", "zigbee2mqtt"]
    assert command.run(_args(*argv), "mqtt://unused") == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines[0]["wire"][0]["topic"] == "zigbee2mqtt/bridge/state"  # the bridge's preamble
    assert {w["topic"].split("/")[0] for line in lines for w in line["wire"]} == {"zigbee2mqtt"}
    scenarios = [json.loads(line)["scenario"] for line in truth.read_text().splitlines()]
    assert sorted(scenarios) == sorted(
        [
            "battery_dying",
            "device_offline",
            "clock_late",
            "network_flapping",
            "hub_offline",
            "garbage",
            "fall",
        ]
    )
    parsed = parse_jsonl(out)  # the backtest reads the file back
    assert len(parsed.records) > 100
    assert parsed.skipped["no signals"] == 24  # the garbage payloads
    assert "home(s)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv", [("--scenario", "tumble"), ("--scenario", "battery_dying,device=toaster")]
)
def test_bad_scenarios_exit_with_status_2(
    argv: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _args("--fast", "--out", str(tmp_path / "x.jsonl"), *argv)
    assert command.run(args, "mqtt://unused") == 2
    assert "veille simulate:" in capsys.readouterr().err

"""`veille backtest` over a recorded CASAS-format log, with the home given as HOME.json."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from evaluation.command import backtest_add_arguments, backtest_run

HOME = {
    "timezone": "Europe/London",
    "sensors": {
        "M001": {"kind": "motion", "room": "living"},
        "M002": {"kind": "motion", "room": "kitchen"},
        "M003": {"kind": "motion", "room": "bedroom"},
        "D001": {"kind": "contact", "room": "hall", "role": "entrance"},
    },
}


def write_log(path: Path) -> None:
    """CASAS layout (sensor, target, state). Ordinary days, but on the fourth the resident
    stops moving at 10:40 until 16:00."""
    lines = []
    for day in range(1, 6):
        stamp = f"2026-01-{day:02d}"
        for hour in range(7, 22):
            if day == 4 and 10 < hour < 16:
                continue
            for minute in (0, 2, 20, 40):
                sensor = "M002" if minute == 20 else "M001"
                lines.append(f"{stamp} {hour:02d}:{minute:02d}:00.000000 {sensor} {sensor} ON")
                lines.append(f"{stamp} {hour:02d}:{minute:02d}:30.000000 {sensor} {sensor} OFF")
        if day < 5:
            lines.append(f"{stamp} 22:30:00 M003 M003 ON Sleep")
            lines.append(f"{stamp} 22:30:30 M003 M003 OFF")
    path.write_text("\n".join(lines) + "\n")


def test_backtest_writes_one_alert_line_for_the_silence(tmp_path: Path) -> None:
    log, home, out = tmp_path / "log.txt", tmp_path / "home.json", tmp_path / "alerts.jsonl"
    write_log(log)
    home.write_text(json.dumps(HOME))
    parser = argparse.ArgumentParser()
    backtest_add_arguments(parser)
    args = parser.parse_args(
        [str(log), "--format", "casas", "--home", str(home), "--out", str(out)]
    )
    assert backtest_run(args) == 0
    alerts = [json.loads(line) for line in out.read_text().splitlines()]
    assert [a["kind"] for a in alerts] == ["inactivity"]
    [alert] = alerts
    assert alert["at"].startswith("2026-01-04T")
    assert alert["at"].endswith("+00:00")
    assert alert["explanation"].startswith("No movement since 10:40")
    assert alert["cleared_at"] == "2026-01-04T16:00:00+00:00"
    assert "in the living room" in alert["cleared"]

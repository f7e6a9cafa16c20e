"""`veille backtest`: the live engine over a recorded log, alerts written as JSON lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from analytics.decision import Clear, Decision, Flag
from analytics.engine import HomeDetector
from analytics.home import HomeConfig
from devices.datasets import (
    Record,
    parse_aras,
    parse_casas,
    parse_jsonl,
    parse_kasteren_tl,
    parse_kasteren_ubicomp,
)
from devices.datasets.sensor_map import parse_map
from evaluation.replay import home_config, observations, replay

FORMATS = ("casas", "kasteren", "aras", "jsonl")


def load_log(path: Path, fmt: str) -> list[Record]:
    """Records of a log file (or, for ARAS, a folder of DAY_N files), time-ordered."""
    if fmt == "casas":
        return parse_casas(path).records
    if fmt == "aras":
        return parse_aras(path).records
    if fmt == "jsonl":
        return parse_jsonl(path).records
    if fmt == "kasteren":
        if path.suffix == ".sensors":  # the transfer-learning benchmark layout
            return parse_kasteren_tl(path, path.with_suffix(".sensor_names")).records
        return parse_kasteren_ubicomp(path).records
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")


def load_home_json(path: Path) -> HomeConfig:
    body = json.loads(path.read_text(encoding="utf-8"))
    return home_config(parse_map(path.stem, body))


def run_backtest(records: Iterable[Record], config: HomeConfig) -> list[Decision]:
    return replay(HomeDetector(config), observations(records, config))


def alert_lines(decisions: list[Decision], config: HomeConfig) -> list[dict[str, Any]]:
    """One dict per flag, in the home's local time, with when it was cleared (if it was)."""
    lines: list[dict[str, Any]] = []
    open_lines: dict[str, dict[str, Any]] = {}
    for decision in decisions:
        if isinstance(decision, Flag):
            line = {
                "at": decision.at.astimezone(config.zone).isoformat(),
                "kind": decision.kind,
                "severity": decision.severity,
                "explanation": decision.explanation,
                "details": decision.details,
            }
            lines.append(line)
            open_lines[decision.kind] = line
        elif isinstance(decision, Clear) and decision.kind in open_lines:
            line = open_lines.pop(decision.kind)
            line["cleared_at"] = decision.at.astimezone(config.zone).isoformat()
            line["cleared"] = decision.explanation
    return lines


def write_alerts(lines: list[dict[str, Any]], out: TextIO) -> None:
    for line in lines:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")

"""JSON lines written by ``veille simulate --out`` (or any tool using the same shape).

Each line: ``{"at": "<ISO 8601 with offset>", "device": "<id>", "signals": {"motion": 1}}``
(other keys such as ``home``, ``topic`` or ``payload`` are ignored). Only activity signals
become records (sensor id = device id); liveness readings such as battery or link quality are
counted in ``skipped`` under ``"not an activity signal"``, per reading.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from devices.datasets.record import ParseResult, Record, parse_lines
from devices.signals import ACTIVITY_SIGNALS

_ACTIVITY = {s.value for s in ACTIVITY_SIGNALS}


def parse_jsonl(path: Path | str) -> ParseResult:
    return parse_lines(path, _parse_line)


def _parse_line(line: str, result: ParseResult) -> None:
    if not line.strip():
        result.skip("blank line")
        return
    try:
        body = json.loads(line)
    except json.JSONDecodeError:
        result.skip("malformed JSON")
        return
    if not isinstance(body, dict):
        result.skip("not a JSON object")
        return
    device, signals, stamp = body.get("device"), body.get("signals"), body.get("at")
    if not isinstance(device, str) or not device:
        result.skip("no device id")
        return
    if not isinstance(signals, dict) or not signals:
        result.skip("no signals")
        return
    try:
        at = datetime.fromisoformat(stamp) if isinstance(stamp, str) else None
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        result.skip("missing or naive 'at'")
        return
    for name, value in signals.items():
        if name not in _ACTIVITY:
            result.skip("not an activity signal")
        elif isinstance(value, bool | int | float):
            result.records.append(Record(at, device, float(value)))
        else:
            result.skip("non-numeric signal value")

"""`veille devices decode`: one JSON line per reading, or why the message is not stored."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from ingest import devices_command

ROOT = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"


def decode(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    payload: bytes,
    *argv: str,
) -> tuple[int, list[dict[str, object]]]:
    parser = argparse.ArgumentParser()
    devices_command.add_arguments(parser)
    monkeypatch.setattr("sys.stdin", argparse.Namespace(buffer=_Bytes(payload)))
    code = devices_command.run(parser.parse_args(["decode", *argv]), "")
    return code, [json.loads(line) for line in capsys.readouterr().out.splitlines()]


class _Bytes:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self) -> bytes:
        return self.data


def test_an_sos_press_is_a_panic_that_counts_as_activity(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    payload = b'{"action":"emergency","battery":null,"linkquality":90}'
    code, lines = decode(monkeypatch, capsys, payload, "--topic", "zigbee2mqtt/0x847127fffe0542eb")
    assert code == 0
    assert [(x["signal"], x["activity"]) for x in lines] == [
        ("panic", True),
        ("link_quality", False),
    ]


def test_a_retained_replay_is_state_only_and_never_activity(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, lines = decode(
        monkeypatch,
        capsys,
        b"ON",
        "--topic",
        "node/binary_sensor/pir/state",
        "--retained",
        "--kind",
        "motion",
    )
    assert lines == [
        {
            "source": "esphome:node",
            "signal": "motion",
            "value": 1.0,
            "activity": False,
            "stored": False,
            "detail": "pir",
        }
    ]


def test_ignored_and_dead_lettered_messages_say_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _, ignored = decode(monkeypatch, capsys, b"single", "--topic", "zigbee2mqtt/btn/action")
    assert "copy of one field" in str(ignored[0]["ignored"])
    code, dead = decode(monkeypatch, capsys, b'{"battery":"x"}', "--topic", "zigbee2mqtt/a")
    assert code == 1
    assert "must be a number" in str(dead[0]["dead_letter"])


def test_a_discovery_state_is_read_after_its_config(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    case = json.loads((ROOT / "homeassistant" / "real_docs_motion_and_removal.json").read_text())
    config = tmp_path / "config.json"
    config.write_text(json.dumps(case["messages"][0]["payload"]))
    _, lines = decode(
        monkeypatch,
        capsys,
        b"ON",
        "--topic",
        "homeassistant/binary_sensor/garden/state",
        "--before",
        "homeassistant/binary_sensor/garden/config",
        str(config),
    )
    assert [(x["source"], x["signal"], x["activity"]) for x in lines] == [
        ("ha:01ad", "motion", True)
    ]


def test_a_payload_in_a_homes_namespace_is_decoded_as_ingest_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = decode(
        monkeypatch, capsys, b"ON", "--topic", "veille/h1/hall-node/binary_sensor/hall_pir/state"
    )
    assert code == 0
    assert [(x["source"], x["signal"]) for x in lines] == [("h1/esphome:hall-node", "input")]

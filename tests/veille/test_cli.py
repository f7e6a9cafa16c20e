import os
import subprocess
import sys
from pathlib import Path

import pytest

from veille.cli import COMMANDS, build_parser, main
from veille.settings import Settings


def _veille(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    return subprocess.run(
        [sys.executable, "-m", "veille", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_command_has_a_parser_with_help() -> None:
    parser = build_parser()
    for name in COMMANDS:
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([name, "--help"])
        assert exit_info.value.code == 0


def test_migrate_applies_then_reports_up_to_date(db_url: str) -> None:
    again = _veille("migrate", VEILLE_DATABASE_URL=db_url)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout


def test_a_service_without_its_database_says_how_to_get_one() -> None:
    result = _veille("analytics")
    assert result.returncode == 2
    assert "VEILLE_DATABASE_URL is not set" in result.stderr
    assert "veille up" in result.stderr


def test_simulating_into_a_file_or_listing_scenarios_needs_no_broker(tmp_path: Path) -> None:
    listing = _veille("simulate", "--list-scenarios")
    assert listing.returncode == 0, listing.stderr
    assert "night_trips_up" in listing.stdout
    out = tmp_path / "day.jsonl"
    played = _veille("simulate", "--fast", "--days", "0.05", "--out", str(out))
    assert played.returncode == 0, played.stderr
    assert out.read_text().count("\n") > 10
    live = _veille("simulate", "--days", "0.05")
    assert live.returncode == 2
    assert "VEILLE_MQTT_URL is not set" in live.stderr


def test_a_malformed_setting_is_refused_before_anything_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("VEILLE_API_PORT", "eighty")
    assert main(["migrate"]) == 2
    assert "VEILLE_API_PORT" in capsys.readouterr().err


def test_settings_become_the_defaults_of_service_options_and_flags_still_win() -> None:
    settings = Settings.from_env({"VEILLE_INGEST_BATCH_SIZE": "77", "VEILLE_TOPIC_PREFIX": "x"})
    parser = build_parser(settings)
    assert parser.parse_args(["ingest"]).batch_size == 77
    assert parser.parse_args(["ingest", "--batch-size", "5"]).batch_size == 5
    assert parser.parse_args(["simulate"]).prefix == "x"

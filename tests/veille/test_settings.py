from pathlib import Path

import pytest

from veille.settings import HELP, Settings, SettingsError, env_names

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_documents_every_setting() -> None:
    text = README.read_text()
    missing = [name for name in env_names() if f"`{name}`" not in text]
    assert missing == []


def test_every_setting_has_help() -> None:
    assert sorted(HELP) == sorted(n.removeprefix("VEILLE_").lower() for n in env_names())


def test_settings_are_read_from_prefixed_variables() -> None:
    settings = Settings.from_env(
        {"VEILLE_API_PORT": "9001", "VEILLE_DATA_DIR": "/tmp/x", "API_PORT": "1"}
    )
    assert settings.api_port == 9001
    assert settings.data_dir == Path("/tmp/x")
    assert settings.mqtt_url == ""


def test_a_malformed_number_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="VEILLE_API_PORT"):
        Settings.from_env({"VEILLE_API_PORT": "eighty"})


def test_public_url_defaults_to_the_api_address() -> None:
    assert Settings(api_port=8123).effective_public_url == "http://127.0.0.1:8123"

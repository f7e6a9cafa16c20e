"""`veille privacy export|erase|retain` against a real database."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import psycopg
import pytest

from storage import homes
from veille.cli import main


def test_export_then_erase_a_home_from_the_command_line(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/Paris", "Mamie")
    monkeypatch.setenv("VEILLE_DATABASE_URL", db_url)
    monkeypatch.setenv("VEILLE_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "h1.zip"

    assert main(["privacy", "export", "h1", "--out", str(out)]) == 0
    assert main(["privacy", "export", "nope", "--out", str(tmp_path / "x.zip")]) == 1
    assert main(["privacy", "erase", "h1", "--by", "operator@example.org"]) == 0
    assert main(["privacy", "retain"]) == 0

    manifest = json.loads(zipfile.ZipFile(out).read("manifest.json"))
    assert (manifest["home_id"], manifest["tables"]["homes"]) == ("h1", 1)
    printed = capsys.readouterr().out.splitlines()
    assert printed[1].startswith("erased 'h1'")
    assert set(json.loads(printed[-1])) == {"events", "hourly", "incidents", "digests", "audit"}
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT count(*) FROM homes").fetchone() == (0,)
        assert conn.execute("SELECT erased_by FROM erasures").fetchall() == [
            ("operator@example.org",)
        ]

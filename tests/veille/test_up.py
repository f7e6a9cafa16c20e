"""`veille up --demo` as a newcomer runs it: a process tree, a simulated home, an incident
and a delivered alert, then a clean exit when VEILLE_DEMO_EXIT_AFTER_S runs out."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from veille.mosquitto import free_port

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_the_demo_opens_an_incident_delivers_it_and_exits_cleanly(
    db_url: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env |= {
        "VEILLE_DATABASE_URL": db_url,
        "VEILLE_DATA_DIR": str(tmp_path / "data"),
        "VEILLE_API_PORT": str(free_port()),
        "VEILLE_DEMO_EXIT_AFTER_S": "120",
        "VEILLE_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "veille", "up", "--demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        cwd=tmp_path,
    )
    out = done.stdout
    assert done.returncode == 0, out[-2000:] + done.stderr[-2000:]
    assert "Veille is up" in out
    assert "Demo account: sign in with POST /auth/login as claire@demo.invalid" in out
    assert "incident #1 opened (inactivity" in out
    assert "alert delivered (family) for incident #1" in out

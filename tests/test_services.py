"""The test session's own servers: used when the configured ones are dead, never under CI."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from broker.server import BrokerThread
from tests.fallbacks import Started, embedded_postgres, local_broker
from tests.services import DatabaseServer, MqttServer, mqtt_address
from veille.mosquitto import free_port


def dead_postgres_url() -> str:
    return f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"


def dead_mqtt_url() -> str:
    return f"mqtt://127.0.0.1:{free_port()}"


@pytest.fixture
def outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)


@pytest.mark.usefixtures("outside_ci")
def test_dead_postgres_is_replaced_by_an_embedded_one_that_stops_on_close(
    pg_data_parent: Path,
) -> None:
    configured = dead_postgres_url()
    data_dir = pg_data_parent / "pg"
    server = DatabaseServer("postgres", configured, lambda: embedded_postgres(data_dir))

    assert server.problem() is None
    assert server.url != configured
    assert "STARTED BY THE TESTS" in server.describe()
    database = server.create_database()
    with psycopg.connect(database) as conn:  # migrated: the schema is there
        assert conn.execute("SELECT count(*) FROM homes").fetchone() == (0,)
    server.drop_database(database)
    url = server.url
    server.close()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)


def test_under_ci_a_dead_server_stays_a_problem_and_no_fallback_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CI", "true")
    calls: list[str] = []

    def fallback() -> Started:
        calls.append("started")
        raise AssertionError("a fallback must not start under CI")

    database = DatabaseServer("postgres", dead_postgres_url(), fallback)
    broker = MqttServer(dead_mqtt_url(), fallback)

    assert "unreachable" in (database.problem() or "")
    assert "unreachable" in (broker.problem() or "")
    assert calls == []


@pytest.mark.usefixtures("outside_ci")
def test_a_failing_fallback_is_reported_with_the_original_problem() -> None:
    def broken() -> Started:
        raise OSError("disk full")

    server = DatabaseServer("postgres", dead_postgres_url(), broken)

    problem = server.problem() or ""
    assert "unreachable" in problem
    assert "disk full" in problem


@pytest.mark.usefixtures("outside_ci")
def test_dead_mqtt_broker_is_replaced_by_a_local_one_that_stops_on_close() -> None:
    configured = dead_mqtt_url()
    server = MqttServer(configured, local_broker)

    assert server.problem() is None
    assert server.url != configured
    assert "STARTED BY THE TESTS" in server.describe()
    host, port = mqtt_address(server.url)
    server.close()
    assert MqttServer(f"mqtt://{host}:{port}").problem() is not None


@pytest.mark.usefixtures("outside_ci")
def test_a_live_server_is_used_as_configured_without_starting_anything() -> None:
    def fallback() -> Started:
        raise AssertionError("the configured broker answers: nothing to start")

    with BrokerThread() as live:
        server = MqttServer(live.url, fallback)

        assert server.problem() is None
        assert server.url == live.url
        assert server.describe().endswith("(already running)")

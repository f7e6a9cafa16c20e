"""A local HTTP endpoint that records what apprise's ``json://`` delivers.

It stands in for a phone in the benchmark and the tests: delivery through it is real (an
HTTP POST from apprise), and paths starting with ``/fail`` answer 500 to exercise fallback.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    body: dict[str, Any]
    at: float  # time.time() on arrival
    status: int  # what we answered: 200, or 500 on /fail paths

    @property
    def ref(self) -> str:
        """The dedupe key apprise put in the payload (``veille_ref``)."""
        return str(self.body.get("veille_ref", ""))


class Receiver:
    def __init__(self, host: str = "127.0.0.1", delay_s: float = 0.0) -> None:
        self._delay_s = delay_s  # answer this late (after recording), like a slow provider
        self._lock = threading.Condition()
        self._received: list[Received] = []
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str = "inbox") -> str:
        """An apprise URL that posts JSON here (``/fail...`` paths answer 500)."""
        host, port = self._server.server_address[:2]
        return f"json://{host!s}:{port}/{path}"

    def received(self, ok_only: bool = True) -> list[Received]:
        with self._lock:
            return [r for r in self._received if r.status == 200 or not ok_only]

    def wait_for(self, predicate: Callable[[list[Received]], bool], timeout_s: float) -> bool:
        with self._lock:
            return self._lock.wait_for(
                lambda: predicate([r for r in self._received if r.status == 200]), timeout_s
            )

    def _record(self, item: Received) -> None:
        with self._lock:
            self._received.append(item)
            self._lock.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status = 500 if self.path.startswith("/fail") else 200
                receiver._record(Received(self.path, json.loads(raw or b"{}"), time.time(), status))
                time.sleep(receiver._delay_s)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:  # a dead-man ping
                receiver._record(Received(self.path, {}, time.time(), 200))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep test and benchmark output clean

        return Handler

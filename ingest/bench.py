"""`veille bench ingest`: throughput, latency and memory of ingest against its ceilings.

Runs in a scratch database created next to `database_url` (dropped afterwards) and on the
broker at `mqtt_url`, which must queue more than Mosquitto's default 1000 messages per
session (the load is bursty: publishers outrun ingest for a while). Prints one JSON object
as its last line:

- ``events_per_s``: first publish to last commit, QoS 1, one ingest process;
- ``client_limit_events_per_s``: the same messages drained by a bare paho QoS 1 subscriber
  that only decodes the JSON (the client library's ceiling), and ``ratio_to_client_limit``;
- ``copy_events_per_s``: the same rows written by bare binary COPY (the database's ceiling);
- ``publish_to_commit_ms_p50``/``_p99`` at half the measured rate (normal load);
- ``ingest_rss_mb``: the ingest process's peak resident memory;
- ``events_per_s_2_workers``: two ingest processes sharing the subscription.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median

import psycopg

from devices.signals import DeviceKind, Room
from ingest.bench_feed import Publishers, fast_lines, paced_lines, topics
from ingest.service import IngestConfig
from storage import events as event_store
from storage.homes import upsert_device, upsert_home
from storage.migrate import scratch_database

TIMEOUT_S = 300.0
STALL_S = 20.0


def bench_add_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = IngestConfig("", "")
    parser.add_argument("--events", type=int, default=60_000, help="events per run")
    parser.add_argument("--homes", type=int, default=20)
    parser.add_argument("--devices", type=int, default=4, help="devices per home")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--batch-ms", type=int, default=defaults.batch_ms)
    parser.add_argument("--latency-s", type=float, default=10.0, help="normal-load phase")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="ingest and bare-client runs alternate this many times; medians are reported "
        "(a shared machine is noisy, and alternating keeps the ratio fair)",
    )


def bench_run(args: argparse.Namespace, database_url: str, mqtt_url: str) -> int:
    prefix = f"bench{os.getpid()}"
    with scratch_database(database_url, "bench_ingest") as db:
        _register(db, args.homes, args.devices)
        bench = _Bench(db, mqtt_url, prefix, topics(prefix, args.homes, args.devices), args)
        runs, limits = [], []
        for _ in range(args.rounds):
            runs.append(bench.throughput(workers=1))
            limits.append(bench.client_limit())
        rate = median(r.events_per_s for r in runs)
        limit = median(limits)
        p50, p99 = bench.latency(rate / 2)
        two = median(bench.throughput(workers=2).events_per_s for _ in range(args.rounds))
        result = {
            "events": args.events,
            "rounds": args.rounds,
            "events_per_s": round(rate),
            "publish_to_commit_ms_p50": round(p50, 1),
            "publish_to_commit_ms_p99": round(p99, 1),
            "ingest_rss_mb": round(max(r.rss_mb for r in runs), 1),
            "client_limit_events_per_s": round(limit),
            "ratio_to_client_limit": round(rate / limit, 3),
            "copy_events_per_s": round(bench.copy()),
            "events_per_s_2_workers": round(two),
        }
    print(json.dumps(result))
    return 0


@dataclass(frozen=True, slots=True)
class _Run:
    events_per_s: float
    rss_mb: float


class _Bench:
    def __init__(
        self, db: str, mqtt_url: str, prefix: str, topics: list[str], args: argparse.Namespace
    ) -> None:
        self.db, self.mqtt_url, self.prefix, self.topics = db, mqtt_url, prefix, topics
        self.events: int = args.events
        self.batch_size: int = args.batch_size
        self.batch_ms: int = args.batch_ms
        self.latency_s: float = args.latency_s
        self._runs = 0

    def throughput(self, workers: int) -> _Run:
        with self._workers(workers) as procs:
            start = time.time()
            self._publish(fast_lines(self.events, datetime.now(UTC)))
            end = self._wait_for_rows(self.events)
            rss = max(_peak_rss_mb(p.pid) for p in procs)
        return _Run(self.events / (end - start), rss)

    def client_limit(self) -> float:
        bare = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ingest.bench_feed",
                self.mqtt_url,
                f"{self.prefix}/v1/#",
                str(self.events),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert bare.stdout is not None
        if bare.stdout.readline().strip() != "ready":
            raise RuntimeError("bare subscriber did not start")
        start = time.time()
        self._publish(fast_lines(self.events, datetime.now(UTC)))
        done = bare.stdout.readline().split()
        bare.wait(TIMEOUT_S)
        return self.events / (float(done[1]) - start)

    def latency(self, rate_per_s: float) -> tuple[float, float]:
        messages = int(rate_per_s * self.latency_s)
        latencies: list[float] = []
        with self._workers(1), psycopg.connect(self.db, autocommit=True) as conn:
            publishers = Publishers(self.mqtt_url, self.topics)
            lines = paced_lines(rate_per_s, messages)
            cursor = datetime.fromtimestamp(0, UTC)
            # Paced lines are written one at a time from a thread while this one polls.
            feeder = threading.Thread(target=publishers.send, args=(lines, 1), daemon=True)
            feeder.start()
            deadline = time.time() + self.latency_s + 30
            while len(latencies) < messages and time.time() < deadline:
                rows = conn.execute(
                    "SELECT at, received_at FROM events WHERE received_at > %s", (cursor,)
                ).fetchall()
                seen = time.time()
                for at, received_at in rows:
                    latencies.append((seen - at.timestamp()) * 1000.0)
                    cursor = max(cursor, received_at)
                time.sleep(0.01)
            feeder.join()
            publishers.close()
        latencies.sort()
        if not latencies:
            raise RuntimeError("no events stored during the latency phase")
        return latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99)]

    def copy(self) -> float:
        now = datetime.now(UTC)
        rows = [
            (now, "h0", "d0", "motion", float(n % 2), False, now, "", n, False)
            for n in range(self.events)
        ]
        with psycopg.connect(self.db) as conn:
            conn.execute("TRUNCATE events")
            conn.commit()
            start = time.perf_counter()
            for i in range(0, len(rows), 10_000):
                event_store.copy_events(conn, rows[i : i + 10_000])
                conn.commit()
            return len(rows) / (time.perf_counter() - start)

    @contextmanager
    def _workers(self, count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
        self._runs += 1
        group = ["--share-group", f"{self.prefix}g{self._runs}"] if count > 1 else []
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ingest",
                    "--database-url",
                    self.db,
                    "--mqtt-url",
                    self.mqtt_url,
                    "--client-id",
                    f"{self.prefix}-{self._runs}-{i}",
                    "--topic-prefix",
                    self.prefix,
                    "--z2m-base-topic",
                    f"{self.prefix}-z2m",
                    "--batch-size",
                    str(self.batch_size),
                    "--batch-ms",
                    str(self.batch_ms),
                    "--session-expiry-s",
                    "60",
                    "--log-level",
                    "WARNING",
                    *group,
                ]
            )
            for i in range(count)
        ]
        try:
            self._warm_up()
            yield procs
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)
            with psycopg.connect(self.db, autocommit=True) as conn:
                conn.execute("TRUNCATE events")

    def _warm_up(self) -> None:
        """Publish probes until ingest stores one: it is then connected and subscribed."""
        with psycopg.connect(self.db, autocommit=True) as conn:
            deadline = time.time() + 60
            while event_store.count_events(conn) == 0:
                if time.time() > deadline:
                    raise RuntimeError("ingest did not start")
                self._publish(iter(['{"signals":{"temperature_c":20}}']), self.topics[:1])
                time.sleep(0.3)
            time.sleep(0.5)  # let a second worker's subscription settle too
            conn.execute("TRUNCATE events")

    def _publish(self, lines: Iterator[str], topics: list[str] | None = None) -> None:
        publishers = Publishers(self.mqtt_url, topics or self.topics)
        publishers.send(lines)
        publishers.close()

    def _wait_for_rows(self, expected: int) -> float:
        """The time the last expected row was committed; fails once progress stops."""
        with psycopg.connect(self.db, autocommit=True) as conn:
            last, progress_at = -1, time.time()
            while (count := event_store.count_events(conn)) < expected:
                if count != last:
                    last, progress_at = count, time.time()
                elif time.time() - progress_at > STALL_S:
                    raise RuntimeError(
                        f"only {count} of {expected} events stored: does the broker queue "
                        "more than 1000 messages per session (max_queued_messages)?"
                    )
                time.sleep(0.02)
            return time.time()


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for text in status:
            if text.startswith("VmHWM:"):
                return int(text.split()[1]) / 1024.0
    return 0.0


def _register(db: str, homes: int, devices: int) -> None:
    with psycopg.connect(db) as conn:
        for h in range(homes):
            upsert_home(conn, f"h{h}", "Europe/Paris")
            for d in range(devices):
                upsert_device(conn, f"h{h}", f"d{d}", DeviceKind.OTHER, Room.OTHER)

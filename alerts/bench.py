"""``veille bench alerts``: time from an incident opening to its first delivery.

Runs in a scratch database created next to the given one (and dropped afterwards): N homes,
each with one family member whose apprise URL posts to a local HTTP receiver; the alerts
service runs as in production (NOTIFY wake-up, leased sender workers, real apprise).
Incidents are opened at a steady rate; the latency of one is from just before its INSERT
to the moment its first message reaches the receiver.
"""

from __future__ import annotations

import argparse
import json
import math
import threading
import time
from datetime import UTC, datetime

import psycopg
from psycopg.conninfo import conninfo_to_dict

from alerts.outbound import Outbound
from alerts.receiver import Receiver
from alerts.sender import SenderConfig
from alerts.service import SENDER_WORKERS, AlertsConfig, run_alerts
from alerts.vault import Vault
from devices.clock import WallClock
from storage import contacts, homes, incidents
from storage.migrate import scratch_database

BENCH_DATA_KEY = "bench-data-key"  # the bench's own scratch database only


def bench_add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--incidents", type=int, default=1000, help="incidents to open")
    parser.add_argument(
        "--rate", type=float, default=50.0, help="incidents opened per second (0: all at once)"
    )
    parser.add_argument("--senders", type=int, default=SENDER_WORKERS, help="delivery workers")
    parser.add_argument("--timeout-s", type=float, default=120.0, help="give up after this")


def bench_run(args: argparse.Namespace, database_url: str) -> int:
    with scratch_database(database_url, "bench_alerts") as url:
        result = _measure(
            url, int(args.incidents), float(args.rate), int(args.senders), float(args.timeout_s)
        )
    print(json.dumps(result))
    return 0 if result["delivered"] == result["incidents"] else 1


def _measure(url: str, n: int, rate: float, senders: int, timeout_s: float) -> dict[str, object]:
    stop = threading.Event()
    vault = Vault(BENCH_DATA_KEY)
    with Receiver() as receiver, psycopg.connect(url, autocommit=True) as conn:
        for i in range(n):
            home = f"bench-{i:05d}"
            homes.upsert_home(conn, home, "Europe/Paris", f"Home {i}")
            contacts.add_contact(
                conn,
                contacts.NewContact(home, "Family", "family", [vault.seal(receiver.url("inbox"))]),
            )
        config = AlertsConfig(
            url,
            "http://127.0.0.1:8000",
            "bench-secret",
            BENCH_DATA_KEY,
            sender_workers=senders,
            # The bench's receiver is on this machine: allowed by name, as an operator would.
            sender=SenderConfig(outbound=Outbound(allow=frozenset({"127.0.0.1"}))),
        )
        ready = threading.Event()
        service = threading.Thread(target=run_alerts, args=(config, WallClock(), stop, ready))
        service.start()
        try:
            if not ready.wait(timeout_s):
                raise RuntimeError("the alerts service did not start")
            opened = _open_incidents(conn, n, rate)
            receiver.wait_for(lambda got: len(got) >= n, timeout_s)
        finally:
            stop.set()
            service.join()
        first = _first_arrivals(conn, receiver)
        queued = sorted(
            float(str(r[0]))
            for r in conn.execute(
                "SELECT extract(epoch FROM min(o.created_at) - i.opened_at) * 1000"
                " FROM incidents i JOIN alert_outbox o ON o.incident_id = i.id GROUP BY i.id"
            ).fetchall()
        )
    latencies = sorted((first[i] - t0) * 1000.0 for i, t0 in opened.items() if i in first)
    conninfo = conninfo_to_dict(url)
    return {
        "incidents": n,
        "delivered": len(latencies),
        "rate_per_s": rate,
        "senders": senders,
        "database": str(conninfo.get("host", "")),
        "first_delivery_ms_p50": _percentile(latencies, 0.50),
        "first_delivery_ms_p99": _percentile(latencies, 0.99),
        "first_delivery_ms_max": round(latencies[-1], 1) if latencies else None,
        # the engine's share: from opening to the message being in the outbox
        "queued_ms_p50": _percentile(queued, 0.50),
        "queued_ms_p99": _percentile(queued, 0.99),
    }


def _open_incidents(
    conn: psycopg.Connection[tuple[object, ...]], n: int, rate: float
) -> dict[int, float]:
    opened: dict[int, float] = {}
    start = time.monotonic()
    for i in range(n):
        if rate > 0:
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        t0 = time.time()
        incident_id = incidents.open_incident(
            conn, f"bench-{i:05d}", "inactivity", datetime.now(UTC), "benchmark"
        )
        assert incident_id is not None
        opened[incident_id] = t0
    return opened


def _first_arrivals(
    conn: psycopg.Connection[tuple[object, ...]], receiver: Receiver
) -> dict[int, float]:
    """Incident id -> wall time its first message arrived (the dedupe key names the message)."""
    by_message = {
        int(r[0]): int(str(r[1]))
        for r in conn.execute(
            "SELECT id, incident_id FROM alert_outbox WHERE incident_id IS NOT NULL"
        ).fetchall()
        if isinstance(r[0], int)
    }
    first: dict[int, float] = {}
    for got in receiver.received():
        incident_id = by_message.get(int(got.ref.removeprefix("veille-") or 0))
        if incident_id is not None:
            first[incident_id] = min(first.get(incident_id, math.inf), got.at)
    return first


def _percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    index = max(0, math.ceil(q * len(sorted_values)) - 1)
    return round(sorted_values[index], 1)

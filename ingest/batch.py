"""Turn a batch of received MQTT messages into rows: events, device status, pending devices,
dead letters. Pure: the database lookups it needs are passed in.

Idempotence: every event row carries a 64-bit `dedupe_key` (a hash of topic, payload and
signal). A redelivered message whose time came from the device hashes to the same
(at, dedupe_key) and the unique index drops it. A message timed by its receipt gets a new
`at` when redelivered, so those are recognised by the MQTT DUP flag instead: storage skips a
DUP row whose key was already stored for that home within a day, and `build` skips one whose
original is in the same batch.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from hashlib import blake2b

from devices.activity import ActivityTracker, DeviceKey
from devices.codec import Router
from devices.signals import DecodeError, DeviceKind, Ignored, Message, Role, Signal
from devices.wiring import as_wired
from storage.dead_letters import DeadLetterRow

# (topic, payload, mid, qos, retain, dup, received unix time, connection generation):
# a plain tuple because building it is the only per-message work done on paho's thread.
Received = tuple[str, bytes, int, int, bool, bool, float, int]

# at, home_id, device_id, signal, value, activity, received_at, detail, dedupe_key,
# clock_corrected, dup
EventRow = tuple[datetime, str, str, str, float, bool, datetime, str, int, bool, bool]

log = logging.getLogger(__name__)

CLOCK_TOLERANCE = timedelta(minutes=5)
PENDING_HOME = ""  # the home of a pending source's events, until it is assigned
ABSURD_SKEW = timedelta(days=30)
_STATUS_SIGNALS = frozenset({Signal.BATTERY_PCT, Signal.LINK_QUALITY, Signal.AVAILABLE})
# Mixed into the message hash so each reading of a message gets its own key.
_SIGNAL_SALT = {
    s: int.from_bytes(blake2b(s.value.encode(), digest_size=8).digest(), "big", signed=True)
    for s in Signal
}


@dataclass(slots=True)
class Status:
    """What a batch learned about one device (None: nothing new)."""

    last_seen_at: datetime | None = None
    last_activity_at: datetime | None = None
    battery_pct: float | None = None
    link_quality: float | None = None
    available: bool | None = None


@dataclass(slots=True)
class Pending:
    model: str
    first_seen_at: datetime
    last_seen_at: datetime
    messages: int
    last_topic: str
    last_payload: str
    suggested_kind: str = ""  # from the device's own announcement (discovery)
    suggested_room: str = ""


@dataclass(slots=True)
class Batch:
    events: list[EventRow] = field(default_factory=list)
    status: dict[DeviceKey, Status] = field(default_factory=dict)
    pending: dict[str, Pending] = field(default_factory=dict)
    dead: list[DeadLetterRow] = field(default_factory=list)
    bridges: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # source -> state
    # Events of pending sources, device id = source: kept until the source is assigned.
    pending_events: list[EventRow] = field(default_factory=list)
    skipped_duplicates: int = 0
    # Each device's last message in this batch, for `veille devices explain`: (received_at,
    # topic, payload, retained, the slice of `events` it became). Formatted only when stored.
    recent: dict[DeviceKey, tuple[datetime, str, bytes, bool, int, int]] = field(
        default_factory=dict
    )
    ignored: int = 0  # understood and deliberately not stored (commands, duplicate topics)


Decoded = tuple[Received, datetime, Message]


def decode_all(router: Router, items: list[Received], batch: Batch) -> list[Decoded]:
    """Decode every item; failures become dead letters in `batch`, ignored topics vanish."""
    decoded: list[Decoded] = []
    for item in items:
        topic, payload = item[0], item[1]
        received_at = datetime.fromtimestamp(item[6], UTC)
        try:
            message = router.decode(topic, payload)
        except DecodeError as exc:
            batch.dead.append((received_at, topic, str(exc)[:500], payload))
            continue
        except Exception as exc:
            # A codec bug must cost one message, not crash ingest into a redelivery loop.
            log.exception("codec failed on %s", topic)
            batch.dead.append((received_at, topic, f"codec error: {exc!r}"[:500], payload))
            continue
        if isinstance(message, Message):
            decoded.append((item, received_at, message))
        elif isinstance(message, Ignored):
            batch.ignored += 1
        else:  # a gateway's message: one per device it names
            decoded.extend((item, received_at, m) for m in message)
    return decoded


def unknown_sources(decoded: list[Decoded], registry: dict[str, DeviceKey]) -> set[str]:
    return {
        m.source for _, _, m in decoded if m.source not in registry and "bridge_state" not in m.meta
    }


def build(
    decoded: list[Decoded],
    registry: dict[str, DeviceKey],
    tracker: ActivityTracker,
    batch: Batch,
    trust_device_time: bool = False,
    wiring: Mapping[DeviceKey, tuple[DeviceKind, Role]] | None = None,
) -> None:
    """Fill `batch` from decoded messages; `registry` maps a message source to its device,
    `wiring` a device to its assigned kind and role (what its inputs mean).

    `trust_device_time` keeps every device timestamp as it is: for replays and time-warped
    simulations, whose event time is far from the time of receipt on purpose.
    """
    seen_keys: set[int] = set()
    for item, received_at, message in decoded:
        if "bridge_state" in message.meta:
            batch.bridges[message.source] = (message.meta["bridge_state"], received_at)
            continue
        device = registry.get(message.source)
        if device is None:
            _record_pending(batch, item, received_at, message)
            held = Batch()
            source = (PENDING_HOME, message.source)
            _add(held, source, item, received_at, message, tracker, seen_keys, trust_device_time)
            batch.pending_events += held.events
            batch.dead += held.dead
            continue
        wired = wiring.get(device) if wiring else None
        if wired is not None:
            kind, role = wired
            readings = tuple(as_wired(r, kind, role) for r in message.readings)
            message = Message(message.source, readings, message.home_id, message.device_id)
        _add(batch, device, item, received_at, message, tracker, seen_keys, trust_device_time)


def _add(
    batch: Batch,
    device: DeviceKey,
    item: Received,
    received_at: datetime,
    message: Message,
    tracker: ActivityTracker,
    seen_keys: set[int],
    trust_device_time: bool,
) -> None:
    topic, payload, mid, _, retain, dup, _, _ = item
    readings = message.readings
    times = [_event_time(r.at, received_at, trust_device_time) for r in readings]
    if None in times:
        reason = "timestamp too far from receipt time"
        batch.dead.append((received_at, topic, reason, payload))
        return
    msg_key = int.from_bytes(
        blake2b(topic.encode() + b"\0" + payload, digest_size=8).digest(), "big", signed=True
    )
    # A row timed by its receipt gets a new `at` when redelivered; the broker re-sends with
    # the original packet id, so mixing it in tells a redelivery from an identical new message.
    receipt_key = msg_key ^ (mid << 46)
    if dup and receipt_key in seen_keys:
        batch.skipped_duplicates += 1
        return
    seen_keys.add(receipt_key)
    status = batch.status.get(device)
    if status is None:
        status = batch.status[device] = Status()
    if not retain:
        # A replayed retained message says what was, not that the device is alive now.
        # Replays and warped simulations live on their own clock: seen when they say so.
        status.last_seen_at = (
            max(t[0] for t in times if t is not None)
            if trust_device_time and times
            else received_at
        )
        status.available = True
    home_id, device_id = device
    events = batch.events
    first = len(events)
    for reading, (at, corrected) in zip(readings, times, strict=True):  # type: ignore[misc]
        signal = reading.signal
        activity = tracker.decide(device, reading, retain)
        if activity or signal in _STATUS_SIGNALS:
            _update_status(status, signal, reading.value, at if activity else None)
        if retain:
            continue  # state only: a replay stored as an event would repeat on every restart
        events.append(
            (
                at,
                home_id,
                device_id,
                signal.value,
                reading.value,
                activity,
                received_at,
                _text(reading.detail) if reading.detail else "",
                (receipt_key if at is received_at else msg_key) ^ _SIGNAL_SALT[signal],
                corrected,
                dup,
            )
        )
    batch.recent[device] = (received_at, topic, payload, retain, first, len(events))


def outcome(batch: Batch, device: DeviceKey) -> str:
    """What a device's last message in `batch` became, in words."""
    _, _, _, retained, start, end = batch.recent[device]
    if retained:
        return "retained replay: state only, not stored"
    parts = [
        f"{signal}={value:g}" + (" (activity)" if activity else "")
        for _, _, _, signal, value, activity, *_ in batch.events[start:end]
    ]
    return ", ".join(parts) or "no reading (device heard)"


def _event_time(
    at: datetime | None, received_at: datetime, trust_device_time: bool
) -> tuple[datetime, bool] | None:
    """(event time, clock corrected?), or None when the device time is absurd."""
    if at is None:
        return received_at, False
    if trust_device_time:
        return at, False
    skew = abs(at - received_at)
    if skew > ABSURD_SKEW:
        return None
    # A device clock off by more than the tolerance is not trusted for this reading.
    if skew > CLOCK_TOLERANCE:
        return received_at, True
    return at, False


def _update_status(
    status: Status, signal: Signal, value: float, activity_at: datetime | None
) -> None:
    if activity_at is not None and (
        status.last_activity_at is None or activity_at > status.last_activity_at
    ):
        status.last_activity_at = activity_at
    if signal is Signal.BATTERY_PCT:
        status.battery_pct = value
    elif signal is Signal.LINK_QUALITY:
        status.link_quality = value
    elif signal is Signal.AVAILABLE:
        status.available = value > 0


def rejected(items: list[Received], reason: str) -> Batch:
    """A batch that dead-letters every item, for when the database refuses the real one."""
    return Batch(dead=[(datetime.fromtimestamp(i[6], UTC), i[0], reason, i[1]) for i in items])


def _text(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and one such byte would fail the whole batch.
    return value.replace("\x00", "") if "\x00" in value else value


def payload_text(payload: bytes) -> str:
    """A raw payload as kept for a person to read: its start, as text PostgreSQL accepts."""
    return _text(payload[:2000].decode("utf-8", "replace"))


def _record_pending(batch: Batch, item: Received, received_at: datetime, message: Message) -> None:
    pending = batch.pending.get(message.source)
    text = payload_text(item[1])
    kind, room = message.meta.get("suggested_kind", ""), message.meta.get("suggested_room", "")
    if pending is None:
        batch.pending[message.source] = Pending(
            message.model, received_at, received_at, 1, item[0], text, kind, room
        )
        return
    pending.suggested_kind = kind or pending.suggested_kind
    pending.suggested_room = room or pending.suggested_room
    pending.messages += 1
    pending.last_seen_at = received_at
    pending.last_topic, pending.last_payload = item[0], text
    pending.model = message.model or pending.model

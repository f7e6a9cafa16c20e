"""Turning received messages into rows: idempotence keys, clocks, retained state, pending."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from devices.activity import ActivityTracker
from devices.codec import Router
from ingest import batch as batches

RECEIVED = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
REGISTRY = {"native:h1/pir": ("h1", "pir"), "z2m:hall/pir": ("h1", "z2m-pir")}


def item(
    topic: str, body: object, *, retain: bool = False, dup: bool = False, mid: int = 1
) -> batches.Received:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return (topic, payload, mid, 1, retain, dup, RECEIVED.timestamp(), 1)


def build(*items: batches.Received) -> batches.Batch:
    batch = batches.Batch()
    decoded = batches.decode_all(Router("veille", "zigbee2mqtt"), list(items), batch)
    batches.build(decoded, dict(REGISTRY), ActivityTracker(), batch)
    return batch


def at(offset: timedelta) -> str:
    return (RECEIVED + offset).isoformat()


def test_device_time_within_tolerance_is_kept() -> None:
    batch = build(
        item("veille/v1/h1/pir", {"at": at(-timedelta(seconds=30)), "signals": {"motion": 1}})
    )
    (row,) = batch.events
    assert row[0] == RECEIVED - timedelta(seconds=30)
    assert row[9] is False  # clock_corrected


def test_skewed_device_clock_is_corrected_to_receipt_time_and_flagged() -> None:
    batch = build(
        item("veille/v1/h1/pir", {"at": at(timedelta(hours=3)), "signals": {"motion": 1}})
    )
    (row,) = batch.events
    assert (row[0], row[9]) == (RECEIVED, True)


def test_absurd_timestamp_is_dead_lettered() -> None:
    batch = build(
        item("veille/v1/h1/pir", {"at": at(timedelta(days=400)), "signals": {"motion": 1}})
    )
    assert batch.events == []
    assert "too far from receipt time" in batch.dead[0][2]


def test_same_message_twice_has_the_same_dedupe_key_and_distinct_signals_differ() -> None:
    body = {"at": at(timedelta()), "signals": {"motion": 1, "battery_pct": 80}}
    first = build(item("veille/v1/h1/pir", body)).events
    again = build(item("veille/v1/h1/pir", body)).events
    assert [r[8] for r in first] == [r[8] for r in again]
    assert first[0][8] != first[1][8]


def test_redelivered_duplicate_in_the_same_batch_is_skipped() -> None:
    body = {"signals": {"button": 1}}
    batch = build(item("veille/v1/h1/pir", body), item("veille/v1/h1/pir", body, dup=True, mid=1))
    assert len(batch.events) == 1
    assert batch.skipped_duplicates == 1


def test_two_identical_presses_without_dup_flag_are_both_stored() -> None:
    body = {"signals": {"button": 1}}
    batch = build(item("veille/v1/h1/pir", body), item("veille/v1/h1/pir", body, mid=2))
    assert len(batch.events) == 2


def test_retained_replay_updates_status_but_is_not_an_event_nor_liveness() -> None:
    batch = build(item("veille/v1/h1/pir/availability", b"offline", retain=True))
    assert batch.events == []
    status = batch.status[("h1", "pir")]
    assert (status.available, status.last_seen_at) == (False, None)


def test_liveness_updates_last_seen_but_not_last_activity() -> None:
    batch = build(item("zigbee2mqtt/hall/pir", {"battery": 80, "linkquality": 99}))
    status = batch.status[("h1", "z2m-pir")]
    assert (status.last_seen_at, status.last_activity_at) == (RECEIVED, None)
    assert (status.battery_pct, status.link_quality) == (80, 99)


def test_unknown_devices_are_aggregated_as_pending() -> None:
    batch = build(
        item("zigbee2mqtt/garage/pir", {"occupancy": True}),
        item("zigbee2mqtt/garage/pir", {"occupancy": False}),
    )
    pending = batch.pending["z2m:garage/pir"]
    assert (pending.messages, pending.last_payload) == (2, '{"occupancy": false}')
    assert batch.events == []


def test_nul_characters_never_reach_text_columns() -> None:
    batch = build(item("veille/v1/h1/pir", {"signals": {"button": 1}, "detail": "a\u0000b"}))
    assert batch.events[0][7] == "ab"


class _BrokenRouter(Router):
    def decode(self, topic: str, payload: bytes) -> None:
        raise KeyError("a codec bug")


def test_a_codec_bug_dead_letters_the_message_instead_of_crashing() -> None:
    batch = batches.Batch()
    decoded = batches.decode_all(_BrokenRouter(), [item("veille/v1/h1/pir", {})], batch)
    assert decoded == []
    assert batch.dead[0][2].startswith("codec error: KeyError")

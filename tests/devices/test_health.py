"""Kinds of silence are told apart: a dead battery is not a person who stopped moving."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from devices.health import DeviceHealth, Silence, bridge_of, classify
from devices.signals import DeviceKind

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=30)


def device(
    device_id: str,
    kind: DeviceKind = DeviceKind.MOTION,
    seen: timedelta | None = timedelta(minutes=5),
    active: timedelta | None = timedelta(hours=1),
    battery: float | None = 90,
    available: bool | None = True,
    source: str | None = None,
) -> DeviceHealth:
    return DeviceHealth(
        "h1",
        device_id,
        kind,
        bridge_of(source),
        LONG_AGO,
        NOW - seen if seen is not None else None,
        NOW - active if active is not None else None,
        battery,
        available,
    )


def silence(*devices: DeviceHealth, bridges_offline: frozenset[str] = frozenset()) -> list[Silence]:
    result = classify(devices, set(bridges_offline), NOW)
    return [result[("h1", d.device_id)] for d in devices]


def test_a_device_reporting_normally_is_not_silent() -> None:
    assert silence(device("pir")) == [Silence.NONE]


def test_a_device_unheard_beyond_its_kinds_interval_is_offline() -> None:
    assert silence(
        device("pir", seen=timedelta(hours=26)),
        device("plug", DeviceKind.POWER, seen=timedelta(hours=2)),
        device("never", seen=None),
    ) == [Silence.OFFLINE, Silence.OFFLINE, Silence.OFFLINE]


def test_a_device_its_bridge_declares_unavailable_is_offline() -> None:
    assert silence(device("pir", available=False)) == [Silence.OFFLINE]


def test_silent_zigbee_devices_behind_an_offline_bridge_are_bridge_offline() -> None:
    result = silence(
        device("pir", seen=timedelta(hours=30), source="z2m:hall/pir"),
        device("door", DeviceKind.CONTACT, seen=timedelta(hours=30), source="z2m:door"),
        device("native", seen=timedelta(hours=30)),
        bridges_offline=frozenset({"z2m-bridge:zigbee2mqtt"}),
    )
    assert result == [Silence.BRIDGE_OFFLINE, Silence.BRIDGE_OFFLINE, Silence.OFFLINE]


def test_a_motion_sensor_quiet_for_days_while_others_fire_is_stuck() -> None:
    assert silence(
        device("bedroom", active=timedelta(days=4)), device("kitchen", active=timedelta(hours=2))
    ) == [Silence.STUCK, Silence.NONE]


def test_a_whole_quiet_home_is_not_a_stuck_sensor() -> None:
    assert silence(
        device("bedroom", active=timedelta(days=4)), device("kitchen", active=timedelta(days=4))
    ) == [Silence.NONE, Silence.NONE]


def test_low_battery_is_reported_while_the_device_still_works() -> None:
    assert silence(device("pir", battery=9)) == [Silence.LOW_BATTERY]

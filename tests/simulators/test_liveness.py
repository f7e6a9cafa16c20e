"""Devices prove they are alive on their own schedule, whatever the resident does."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

from devices.signals import Signal
from simulators.layout import standard_layout
from simulators.liveness import reports

START = datetime(2026, 3, 2, tzinfo=UTC)


def test_every_device_reports_hourly_and_the_thermometer_every_ten_minutes() -> None:
    layout = standard_layout("alive")
    day = list(
        itertools.takewhile(lambda e: e.at < START + timedelta(days=1), reports(layout, 1, START))
    )
    assert all(a.at <= b.at for a, b in itertools.pairwise(day))
    link = Counter(e.device_id for e in day if Signal.LINK_QUALITY in e.signals)
    assert set(link) == {d.id for d in layout.devices}
    assert all(22 <= n <= 27 for n in link.values())
    temps = [e for e in day if Signal.TEMPERATURE_C in e.signals]
    assert len(temps) == 144
    assert all(18 < e.signals[Signal.TEMPERATURE_C] < 23 for e in temps)


def test_batteries_drain_slowly_and_only_battery_devices_report_them() -> None:
    layout = standard_layout("alive")
    month = list(
        itertools.takewhile(lambda e: e.at < START + timedelta(days=60), reports(layout, 1, START))
    )
    battery = {e.device_id for e in month if Signal.BATTERY_PCT in e.signals}
    assert battery == {d.id for d in layout.devices if d.on_battery}
    assert "kettle-plug" not in battery
    pir = [
        e.signals[Signal.BATTERY_PCT]
        for e in month
        if e.device_id == "hall-pir" and Signal.BATTERY_PCT in e.signals
    ]
    assert pir == sorted(pir, reverse=True)
    assert 1 <= pir[0] - pir[-1] <= 3  # 0.03 % a day

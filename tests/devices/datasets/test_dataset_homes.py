"""Every real home in ../shared/data parses completely and every sensor it uses is mapped."""

from __future__ import annotations

import pytest

from devices.datasets import HOMES, load_home, load_map, parse_home
from devices.signals import Role

# Event counts measured independently in ../shared/data/README.md (ARAS B counts two more
# because its first second already has sensors at 1, which we emit as transitions from 0).
EXPECTED = {
    "casas-al-smarthome": (61_578, {}),
    "casas-cil-tm000": (21_968 + 202, {}),
    "kasteren-a": (2_638, {"header": 23, "footer": 1}),
    "kasteren-b": (38_150, {}),
    "kasteren-c": (45_400, {}),
    "aras-a": (103_995, {}),
    "aras-b": (31_144, {}),
}


def test_every_home_has_an_expectation() -> None:
    assert set(HOMES) == set(EXPECTED)


@pytest.mark.parametrize("home", sorted(EXPECTED))
def test_home_parses_every_line_and_maps_every_sensor(home: str) -> None:
    result = parse_home(home)
    count, skipped = EXPECTED[home]
    assert len(result.records) == count
    assert result.skipped == skipped
    times = [r.at for r in result.records]
    assert times == sorted(times)
    assert all(r.value in (0.0, 1.0) for r in result.records)
    sensor_map = load_map(home)
    assert {r.sensor for r in result.records} <= set(sensor_map.sensors)


@pytest.mark.parametrize("home", sorted(EXPECTED))
def test_home_map_names_an_entrance(home: str) -> None:
    sensor_map = load_map(home)
    assert any(info.role is Role.ENTRANCE for info in sensor_map.sensors.values())


def test_load_home_returns_records_and_the_homes_map() -> None:
    records, sensor_map = load_home("kasteren-a")
    assert sensor_map.timezone == "Europe/Amsterdam"
    assert records[0].sensor == "24"
    assert records[0].at.isoformat() == "2008-02-25T00:20:14"
    assert sensor_map.sensors["12"].role is Role.ENTRANCE

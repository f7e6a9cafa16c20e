"""A simulated home described as data."""

from __future__ import annotations

import pytest

from devices.signals import DeviceKind, Role, Room
from simulators.layout import Device, HomeLayout, standard_layout


def test_standard_flat_has_a_pir_per_room_and_the_devices_the_resident_uses() -> None:
    layout = standard_layout("flat", "Europe/Brussels")
    for room in (Room.BEDROOM, Room.BATHROOM, Room.KITCHEN, Room.LIVING, Room.HALL):
        assert layout.motion_in(room) is not None
    for role in (
        Role.ENTRANCE,
        Role.FRIDGE,
        Role.BED,
        Role.CHAIR,
        Role.KETTLE,
        Role.TV,
        Role.PANIC,
    ):
        assert layout.with_role(role) is not None
    assert str(layout.zone) == "Europe/Brussels"


def test_duplicate_device_ids_are_refused() -> None:
    pir = Device("pir", DeviceKind.MOTION, Room.HALL)
    with pytest.raises(ValueError, match="duplicate"):
        HomeLayout("h", "UTC", (pir, pir))

"""A simulated home as data: its id, timezone and devices (what each is, where, for what)."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from devices.signals import DeviceKind, Role, Room

# Kinds that run on batteries and so send battery reports; plugs are mains powered.
BATTERY_KINDS = frozenset(
    {
        DeviceKind.MOTION,
        DeviceKind.CONTACT,
        DeviceKind.PRESSURE,
        DeviceKind.BUTTON,
        DeviceKind.TEMPERATURE,
    }
)


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    kind: DeviceKind
    room: Room
    role: Role = Role.NONE
    model: str = ""

    @property
    def on_battery(self) -> bool:
        return self.kind in BATTERY_KINDS


@dataclass(frozen=True, slots=True)
class HomeLayout:
    home_id: str
    timezone: str
    devices: tuple[Device, ...]
    name: str = ""
    _by_id: dict[str, Device] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {d.id: d for d in self.devices})
        if len(self._by_id) != len(self.devices):
            raise ValueError(f"{self.home_id}: duplicate device ids")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def device(self, device_id: str) -> Device:
        return self._by_id[device_id]

    def motion_in(self, room: Room) -> Device | None:
        return next(
            (d for d in self.devices if d.kind is DeviceKind.MOTION and d.room is room), None
        )

    def with_role(self, role: Role) -> Device | None:
        return next((d for d in self.devices if d.role is role), None)


def standard_layout(home_id: str, timezone: str = "Europe/Paris") -> HomeLayout:
    """A one-bedroom flat fitted the way Veille recommends: a PIR per room and a few extras."""
    m, c, p, w = DeviceKind.MOTION, DeviceKind.CONTACT, DeviceKind.PRESSURE, DeviceKind.POWER
    devices = (
        Device("bedroom-pir", m, Room.BEDROOM, model="RTCGQ11LM"),
        Device("bathroom-pir", m, Room.BATHROOM, model="RTCGQ11LM"),
        Device("kitchen-pir", m, Room.KITCHEN, model="RTCGQ11LM"),
        Device("living-pir", m, Room.LIVING, model="RTCGQ11LM"),
        Device("hall-pir", m, Room.HALL, model="RTCGQ11LM"),
        Device("front-door", c, Room.HALL, Role.ENTRANCE, model="MCCGQ11LM"),
        Device("fridge-door", c, Room.KITCHEN, Role.FRIDGE, model="MCCGQ11LM"),
        Device("bed-mat", p, Room.BEDROOM, Role.BED, model="pressure-mat"),
        Device("chair-mat", p, Room.LIVING, Role.CHAIR, model="pressure-mat"),
        Device("kettle-plug", w, Room.KITCHEN, Role.KETTLE, model="ZNCZ02LM"),
        Device("tv-plug", w, Room.LIVING, Role.TV, model="ZNCZ02LM"),
        Device("panic-button", DeviceKind.BUTTON, Room.BEDROOM, Role.PANIC, model="WXKG01LM"),
        Device("living-temp", DeviceKind.TEMPERATURE, Room.LIVING, model="WSDCGQ11LM"),
    )
    return HomeLayout(home_id, timezone, devices, name=f"Simulated flat {home_id}")

"""What a reading means once the registry says what the device is.

Some hardware cannot know what it senses: a Tasmota ``Switch1``, a Shelly input or a Zigbee
dry contact reports a level, and a door reed, a PIR relay, a bed mat or a wall switch may be
wired to it. Codecs report such levels as the neutral `Signal.INPUT` (1 = on, circuit
closed); the person who assigns the device gives its kind and role, and this turns the level
into what it means. A bed or chair mat reports occupancy even when its ecosystem calls the
field ``occupancy`` like a PIR's (Zigbee2MQTT), and a button assigned the panic role is a
call for help.

Conventions: a door reed is closed while the door is shut (so the door is open when the
input is off); a PIR or mat relay closes while it detects. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import replace

from devices.signals import DeviceKind, Reading, Role, Signal

# An input's level as each kind of device wired to it.
_INPUT_AS: dict[DeviceKind, Signal] = {
    DeviceKind.MOTION: Signal.MOTION,
    DeviceKind.CONTACT: Signal.CONTACT_OPEN,
    DeviceKind.PRESSURE: Signal.OCCUPANCY,
    DeviceKind.SWITCH: Signal.SWITCH_ON,
    DeviceKind.BUTTON: Signal.BUTTON,
    DeviceKind.LEAK: Signal.WATER_LEAK,
    DeviceKind.VIBRATION: Signal.VIBRATION,
}
# Kinds whose "contact" reading is a dry contact's level, not a door's.
_DRY_CONTACT = frozenset(_INPUT_AS) - {DeviceKind.CONTACT}
_MATS = frozenset({Role.BED, Role.CHAIR})


def kind_of(kind: DeviceKind, role: Role) -> DeviceKind:
    """Bed and chair mats are pressure sensors whatever kind they were filed under."""
    return DeviceKind.PRESSURE if role in _MATS else kind


def as_wired(reading: Reading, kind: DeviceKind, role: Role = Role.NONE) -> Reading:
    """`reading` as the device it comes from means it (unchanged when nothing is implied)."""
    signal = reading.signal
    kind = kind_of(kind, role)
    if signal is Signal.CONTACT_OPEN and kind in _DRY_CONTACT:
        reading = replace(reading, signal=Signal.INPUT, value=1.0 - reading.value)
        signal = Signal.INPUT
    if signal is Signal.INPUT:
        meant = _INPUT_AS.get(kind)
        if meant is None:
            return reading  # not assigned a kind that gives it a meaning: stored, not activity
        if role is Role.PANIC and meant is Signal.BUTTON:
            meant = Signal.PANIC
        value = 1.0 - reading.value if meant is Signal.CONTACT_OPEN else reading.value
        return replace(reading, signal=meant, value=value)
    if signal is Signal.MOTION and kind is DeviceKind.PRESSURE:
        return replace(reading, signal=Signal.OCCUPANCY)
    if signal is Signal.BUTTON and role is Role.PANIC:
        return replace(reading, signal=Signal.PANIC)
    return reading

"""What counts as a person's activity: decided once, here, for every ecosystem.

One verdict for ingest (live MQTT), for the replay of recorded logs and for the simulated homes,
so the offline evaluations feed the detector what production feeds it. It lives in `devices/`,
the bottom layer, because it reads nothing but what a device said (a signal, its value, the
value before) and both ingest and the offline tools must import it.

Codecs say what a device reported; only edges say a person did something. A Zigbee2MQTT
battery report repeats ``occupancy: true`` from its cache, and Z2M itself publishes a
synthetic ``occupancy: false`` after a timeout, so motion counts only on its rising edge.
Retained replays (the broker re-sending stored state on subscribe) are never activity, and
liveness signals (battery, link quality, temperature, availability) prove the device is
alive, not the resident.
"""

from __future__ import annotations

from devices.signals import Reading, Signal

DEFAULT_POWER_THRESHOLD_W = 20.0

# 0 -> 1: a PIR or vibration sensor firing. The falling edge is a timeout, not a person.
RISING = frozenset({Signal.MOTION, Signal.VIBRATION})
# Any change: a door opened or closed, someone got into or out of bed, a switch flipped.
# Pressure mats have no synthetic falling edge, so getting up is as telling as lying down.
# A first value counts too: ingest restores the last day's values on start, so a value with
# nothing before it comes from a device new or silent for a day, reporting because it changed.
CHANGE = frozenset({Signal.CONTACT_OPEN, Signal.OCCUPANCY, Signal.SWITCH_ON})
# Each message is a press (empty button actions never reach here: codecs drop them).
PULSE = frozenset({Signal.BUTTON, Signal.PANIC})
# Signals whose last value must be remembered to find edges.
STATEFUL = RISING | CHANGE | {Signal.POWER_W}

DeviceKey = tuple[str, str]  # (home_id, device_id)


class ActivityTracker:
    """Remembers the last value per (device, signal) and turns readings into activity."""

    def __init__(
        self,
        power_threshold_w: float = DEFAULT_POWER_THRESHOLD_W,
        last: dict[tuple[str, str, Signal], float] | None = None,
    ) -> None:
        self.power_threshold_w = power_threshold_w
        self._last: dict[tuple[str, str, Signal], float] = dict(last or {})

    def decide(self, device: DeviceKey, reading: Reading, retained: bool) -> bool:
        signal = reading.signal
        if signal in PULSE:
            return not retained and reading.value > 0
        if signal not in STATEFUL:
            return False
        key = (device[0], device[1], signal)
        before = self._last.get(key)
        value = reading.value
        self._last[key] = value  # a retained replay still updates the state it reports
        if retained:
            return False
        if signal in RISING:
            return value > 0 and not (before is not None and before > 0)
        if signal in CHANGE:
            return before != value
        # Power: a kettle or TV switched on is the crossing upwards; switching off is often
        # automatic (kettle thermostat, TV sleep timer) so it does not count.
        threshold = self.power_threshold_w
        return value >= threshold and (before is None or before < threshold)

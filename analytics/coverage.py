"""What the sensors can and cannot see, which decides which contexts can be judged.

A sensor in the bedroom that the resident switches (a light, a lamp plug) sees her enter it
awake, not lie down again after a night walk: only a motion sensor or a bed mat there sees the
return to bed. Where it is invisible, a quiet night after the hall is not "not back to bed":
it is judged as any silence after that place at that hour, by what the home has done there.
"""

from __future__ import annotations

from analytics.home import HomeConfig, Place
from devices.signals import DeviceKind

_SEES_A_PERSON = frozenset({DeviceKind.MOTION, DeviceKind.PRESSURE})


def sees_bed(config: HomeConfig) -> bool:
    """Some motion sensor or mat in the bedroom (or on the bed)."""
    return any(
        s.place == Place.BEDROOM and s.kind in _SEES_A_PERSON for s in config.sensors.values()
    )

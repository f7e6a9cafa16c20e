"""What the sensors can and cannot see, which decides which contexts can be judged.

A sensor in the bedroom that the resident switches (a light, a lamp plug) sees her enter it
awake, not lie down again after a night walk: a motion sensor, a bed mat or the bedroom door
usually does. The home's own nights say more: night trips out of bed that were seen returning to the
bedroom, against those followed by hours of silence elsewhere until the morning. Where the
return is invisible, a quiet night after the hall is not "not back to bed": it is judged as
any silence after that place at that hour, by what the home has done there.
"""

from __future__ import annotations

from analytics.home import HomeConfig, Place
from analytics.routine import RoutineModel
from devices.signals import DeviceKind, Role

_SEES_A_PERSON = frozenset({DeviceKind.MOTION, DeviceKind.PRESSURE, DeviceKind.CONTACT})
RETURN_EVIDENCE = 10.0  # night trips (fading) before the home's own nights decide
# Seen returning on at least this share of them: the return can be seen (a trip's end is
# ambiguous: up early and sitting still for hours also reads as "unseen").
RETURN_SHARE = 0.3


def sees_bed(config: HomeConfig) -> bool:
    """Some motion sensor, mat or door in the bedroom (a door is passed on the way back;
    a wardrobe's is not)."""
    return any(
        s.place == Place.BEDROOM and s.kind in _SEES_A_PERSON and s.role != Role.CUPBOARD
        for s in config.sensors.values()
    )


def return_to_bed_seen(model: RoutineModel, sees_bed: bool) -> bool:
    """Whether a return to bed would be seen: by the home's night trips once there are
    enough, else by its layout (`sees_bed`)."""
    back = model.night_trips.counts.get("back", 0.0)
    unseen = model.night_trips.counts.get("unseen", 0.0)
    if back + unseen < RETURN_EVIDENCE:
        return sees_bed
    return back >= RETURN_SHARE * (back + unseen)

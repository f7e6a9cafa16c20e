"""Sensors that fire on their own in the empty home: named once so they can be moved.

While the resident may be out, an event one sensor makes alone is dropped (see the engine).
A PIR that sees a window, a heater or a pet does that again and again; past `NOISY_EVENTS`
in one absence, the family is told which sensor it is (info, at most once a week per sensor).
The routine model remembers such sensors: while the resident is in bed, one of them alone
does not say she got up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from analytics.decision import Clear, Decision, Flag
from analytics.explain import clock
from analytics.home import ROOM_NAMES
from analytics.routine import NOISY_EVENTS
from analytics.state import Context

NOISY_RETELL = timedelta(days=7)  # about the same sensor at most this often
KIND = "noisy_sensor"


def dropped(ctx: Context, device: str, now: datetime) -> list[Decision]:
    """`device` fired alone while the resident may have been out."""
    st = ctx.state
    ctx.model.note_lone_while_out(device)
    count = st.lone_while_out[device] = st.lone_while_out.get(device, 0) + 1
    told = st.noisy_told.get(device)
    if count < NOISY_EVENTS or KIND in st.open:
        return []
    if told is not None and now - told < NOISY_RETELL:
        return []
    st.noisy_told[device] = now
    sensor = ctx.config.sensor(device)
    left = st.left_at() or now
    text = (
        f"The sensor {device} in {ROOM_NAMES[sensor.room]} fired {count} times on its own"
        f" since {clock(st.local(left))}, while nobody seemed to be home. Veille does not"
        " take one sensor alone for the resident, so this raised no alarm; but a motion"
        " sensor that sees a window, a heater or a pet should be moved or turned."
    )
    details = {"device_id": device, "room": str(sensor.room), "count": count}
    flag = Flag(KIND, "info", now, text, details)
    st.open[KIND] = flag
    return [flag]


def absence_ended(ctx: Context, at: datetime) -> list[Decision]:
    st = ctx.state
    st.lone_while_out.clear()
    if st.open.pop(KIND, None) is None:
        return []
    return [Clear(KIND, at, f"Back home at {clock(st.local(at))}.")]

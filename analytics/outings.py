"""Rules about the resident being out: not back long after the usual return, and out at
night. Away durations are learned as silences that start at the front door."""

from __future__ import annotations

from datetime import datetime, timedelta

from analytics.decision import Flag
from analytics.explain import clock, day_kind, duration
from analytics.health import Health
from analytics.home import Place
from analytics.slots import is_night
from analytics.state import DEPART_AFTER, Context

MIN_OUT = timedelta(hours=2)
# Going out at an hour she is usually in bed, and not her habit: called this soon (a wandering
# at 2 a.m.). Leaving at an hour she is usually up (an evening out) is an ordinary outing,
# judged by her own return times, however late.
NIGHT_OUT = timedelta(minutes=45)
NIGHT_HABIT = 2.0  # outings seen begun around this hour before they count as usual
ASLEEP_SHARE = 0.75  # in bed at this hour on more nights than this: her night


def _unusual_departure(ctx: Context, local: datetime) -> bool:
    model = ctx.model
    asleep = model.habits.in_bed_share(local) > ASLEEP_SHARE
    return asleep and model.count_near(local, Place.ENTRANCE) < NIGHT_HABIT


def not_back_deadline(ctx: Context, horizon: datetime | None) -> datetime | None:
    st = ctx.state
    left = st.left_at()
    if left is None:
        return None
    if horizon is not None and left + NIGHT_OUT >= horizon:
        return left + NIGHT_OUT
    local = st.local(left)
    if _unusual_departure(ctx, local):
        return left + NIGHT_OUT
    exp = ctx.model.expect(local, Place.ENTRANCE, ctx.config.sensitivity)
    return left + max(timedelta(seconds=exp.threshold_s), MIN_OUT, DEPART_AFTER)


def not_back_flag(ctx: Context, now: datetime, health: Health | None) -> Flag:
    st = ctx.state
    left = st.left_at()
    assert left is not None
    local = st.local(left)
    exp = ctx.model.expect(local, Place.ENTRANCE, ctx.config.sensitivity)
    out = (now - left).total_seconds()
    at_night = is_night(st.local(now))
    kind, severity = ("out_at_night", "warning") if at_night else ("not_back", "info")
    text = (
        f"{'Still out at night' if at_night else 'Not back home'}: went out at {clock(local)}"
        f" ({duration(out)} ago)."
    )
    if _unusual_departure(ctx, local):
        text += " Going out at this time of night is unusual for her."
    else:
        text += (
            f" On {day_kind(local)} outings starting around then usually end within"
            f" {duration(exp.usual_s)}."
        )
    details = {"left_at": left.isoformat(), "left_local": clock(local), "out_s": round(out)}
    return Flag(kind, severity, now, text, details)

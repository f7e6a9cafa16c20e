"""No kitchen or fridge activity by the usual meal time (a gentle, informative flag)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from analytics.decision import Flag
from analytics.explain import clock
from analytics.health import Health
from analytics.home import Place
from analytics.state import Context
from analytics.times_of_day import MEALS


def note_activity(ctx: Context, local: datetime, place: Place) -> None:
    """Keep today's meal tallies; on a new local day, teach yesterday's to the model."""
    st = ctx.state
    if st.meal_day != local.date():
        if st.meal_day is not None:
            # a meal out is not one skipped at home; one eaten before going out still counts
            for window in sorted(st.meal_home - (st.meal_out - st.meal_first.keys())):
                first = st.meal_first.get(window)
                ctx.model.habits.learn_meal_day(window, None if first is None else st.local(first))
        st.meal_day, st.meal_first, st.meal_home = local.date(), {}, set()
        st.meal_flagged, st.meal_out = set(), set()
        st.open.pop("no_meal", None)  # one flag per meal at most; a new day starts afresh
    for window, (_, start_h, end_h) in enumerate(MEALS):
        if start_h <= local.hour < end_h:
            st.meal_home.add(window)
            if place == Place.KITCHEN:
                st.meal_first.setdefault(window, local)


# Out this long during a meal window: she may well have eaten out, so that meal is neither
# expected nor learned as skipped at home that day.
MEAL_OUT = timedelta(minutes=45)


def note_absence(ctx: Context, left: datetime, back: datetime) -> None:
    """An absence from `left` to `back` (local) ended."""
    st = ctx.state
    if st.meal_day is None:
        return
    midnight = datetime.combine(st.meal_day, time(0), tzinfo=st.zone)
    for window, (_, start_h, end_h) in enumerate(MEALS):
        start = max(left, midnight + timedelta(hours=start_h))
        end = min(back, midnight + timedelta(hours=end_h))
        if end - start >= MEAL_OUT:
            st.meal_out.add(window)


def _pending(ctx: Context) -> tuple[int, datetime] | None:
    """The next meal window still without kitchen use today, and its deadline."""
    st = ctx.state
    if st.meal_day is None or st.last_at is None:
        return None
    midnight = datetime.combine(st.meal_day, time(0), tzinfo=st.zone)
    for window in range(len(MEALS)):
        if window in st.meal_first or window in st.meal_flagged or window in st.meal_out:
            continue  # eaten, told, or out at meal time
        if window not in st.meal_home:
            continue
        minutes = ctx.model.habits.meal_deadline_min(window)
        if minutes is None:
            continue
        deadline = (midnight + timedelta(minutes=minutes)).astimezone(UTC)
        return window, deadline
    return None


def no_meal_deadline(ctx: Context, horizon: datetime | None) -> datetime | None:
    st = ctx.state
    if st.last_at is None or st.out_since is not None or st.place == Place.ENTRANCE:
        return None
    pending = _pending(ctx)
    return None if pending is None else pending[1]


def no_meal_flag(ctx: Context, now: datetime, health: Health | None) -> Flag | None:
    pending = _pending(ctx)
    if pending is None:
        return None
    window, _ = pending
    ctx.state.meal_flagged.add(window)
    name, start_h, _ = MEALS[window]
    text = (
        f"No kitchen or fridge activity since {start_h:02d}:00 today ({clock(ctx.state.local(now))}"
        f" now); on most days the kitchen is used by this time for {name}."
    )
    return Flag("no_meal", "info", now, text, {"meal": name})

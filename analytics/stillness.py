"""Rules about a still resident at home: unusual inactivity, not up by the usual time, too
long in the bathroom. Each has a deadline (when it could fire) and a flag (what it says)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from analytics.decision import Flag
from analytics.explain import clock, day_kind, duration
from analytics.health import Health
from analytics.home import PLACE_NAMES, ROOM_NAMES, Place
from analytics.routine import RING_DAYS, Expectation
from analytics.slots import day_type_of, is_night
from analytics.state import Context
from devices.signals import Role

FLOOR = timedelta(minutes=20)
CEILING = timedelta(hours=16)
NIGHT_UP_FLOOR = timedelta(minutes=50)
NIGHT_UP_CEILING = timedelta(minutes=55)
STILL_IN_BATHROOM = timedelta(minutes=30)
# The daytime and evening ceilings are fitted on real homes (`analytics.calibration`); in the
# bedroom once up for the day, naps in the real homes lasted at most 57 min (kasteren-a), far
# below this hand-set ceiling.
NAP_CEILING = timedelta(hours=3)  # in the bedroom once up, begun 08:00-18:00
DAY_HOURS, EVENING_HOURS = range(8, 18), range(18, 21)
# Below those, the home's own record: its longest quiet spell outside the bedroom in the same
# hours over the last 4 weeks, with this much room (more in the evening: 3 hours a day give
# fewer quiet spells, so a less settled record), once it is set over this many days, and never
# below the floor (an hour's sitting after lunch is ordinary even in a home that rarely sits).
RECORD_ROOM = 1.3
EVENING_RECORD_ROOM = 2.0
RECORD_DAYS = 4
RECORD_FLOOR = timedelta(minutes=90)
# Set over fewer days (a whole day at least: the first is cut short by the installation), the
# record is young: one day's longest says little of the next, so twice the room, and never
# below 2 hours.
YOUNG_DAYS = 2
YOUNG_ROOM = 2.0
YOUNG_FLOOR = timedelta(hours=2)
# Days of the home's own quiet spells after which its routine counts as learned: a week holds
# each weekday's rhythm once, and the "still learning" notice ends.
LEARNING_DAYS = 7


def expectation(ctx: Context) -> Expectation:
    st = ctx.state
    if st.expectation is None:
        assert st.last_at is not None
        device = st.last_sensor.id if st.last_sensor else None
        local, sensitivity = st.local(st.last_at), ctx.config.sensitivity
        st.expectation = ctx.model.expect(
            local,
            st.context,
            sensitivity,
            device=device,
            sits_unseen=not ctx.config.sees_motion,
            sleeps_unseen=not ctx.sees_bed,
        )
    return st.expectation


def inactivity_deadline(ctx: Context, horizon: datetime | None) -> datetime | None:
    st = ctx.state
    if st.last_at is None or st.place == Place.ENTRANCE or st.out_since is not None:
        return None
    # Visitors pause the rules (their movements hide hers) but do not restart the clock:
    # her silence counts from the last movement seen, as it would without them.
    start, pause = st.last_at, st.visitors_until or st.last_at
    earliest = max(start + FLOOR, pause)
    if horizon is not None and earliest >= horizon:
        return earliest  # a lower bound is enough: nothing can be due before horizon
    limit = timedelta(seconds=expectation(ctx).threshold_s)
    floor, ceiling = FLOOR, CEILING
    scale = ctx.model.offset_at(st.local(start)) / ctx.config.sensitivity
    if (seat := seated(ctx)) is not None:
        # On a mat: how long she stays on it, from when she sat down; no ceiling.
        return max(seat.since + seat.limit * scale, start + FLOOR, pause)
    if (up := got_up_limit(ctx)) is not None:
        limit = min(limit, up * scale)  # up from a mat, then nothing: called soon
    if st.context == Place.NIGHT_UP:
        # Out of bed at night and still for this long is worth a call whatever the habit,
        # unless the family said otherwise (false-alarm feedback raises it, within bounds).
        # Not sooner than NIGHT_UP_FLOOR either: a return to bed the bedroom sensor missed
        # looks exactly like this, and a few weeks of night trips say little about the tail.
        floor, ceiling = NIGHT_UP_FLOOR * scale, NIGHT_UP_CEILING * scale
    elif (day := day_ceiling(ctx)) is not None:
        ceiling = day.limit
    return max(start + min(max(limit, floor), ceiling), pause)


_SEAT_NAMES = {Role.CHAIR: "her armchair", Role.BED: "the bed"}


@dataclass(frozen=True, slots=True)
class Seat:
    device: str
    since: datetime  # when she sat or lay down on it
    limit: timedelta  # a stay on it longer than this is unusual for her
    bed: bool


def seated(ctx: Context) -> Seat | None:
    """The trusted mat in the room of the last movement that says she is on it now. A mat
    that fires in the empty home (`RoutineModel.fires_alone`) is not believed, nor one pressed
    for longer than she ever stays on it before the last movement (it failed to release)."""
    st = ctx.state
    assert st.last_at is not None
    for device, since in st.occupied.items():
        sensor = ctx.config.sensor(device)
        if sensor.place != st.place or ctx.model.fires_alone(device):
            continue
        local = st.local(since)
        bed = sensor.place == Place.BEDROOM and is_night(local)  # a night's sleep, not a nap
        limit = timedelta(seconds=ctx.model.occupancy.stay_limit_s(device, local.hour, bed))
        limit = min(limit, CEILING)
        if st.last_at - since <= limit:
            return Seat(device, since, limit, bed)
    return None


def got_up_limit(ctx: Context) -> timedelta | None:
    """When the current silence began by getting up from a trusted mat: how long nothing
    usually follows that, at this hour. Not from a bed: a bed mat released while nothing
    else moves is someone still in bed off the mat's pad, or dressing, or sitting on its edge;
    getting up from bed shows on other sensors (the "not back to bed" and "not up" rules)."""
    st = ctx.state
    device = st.rose_from
    if device is None or st.last_at is None or ctx.model.fires_alone(device):
        return None
    local = st.local(st.last_at)
    if ctx.config.sensor(device).place == Place.BEDROOM:
        return None
    limit = ctx.model.occupancy.up_limit_s(device, local.hour)
    return None if limit is None else timedelta(seconds=limit)


@dataclass(frozen=True, slots=True)
class Ceiling:
    limit: timedelta
    period: str  # "daytime", "evening"
    record_s: float | None = None  # the home's own record, when it set the limit
    days: int = 0  # over how many days that record was set


def day_ceiling(ctx: Context) -> Ceiling | None:
    """The ceiling on the current silence that holds whatever the learned habit (see
    `analytics.calibration`), if any: none at night, in the evening in the bedroom, or asleep in the
    morning."""
    st = ctx.state
    assert st.last_at is not None
    local = st.local(st.last_at)
    day, evening = local.hour in DAY_HOURS, local.hour in EVENING_HOURS
    if st.context == Place.NIGHT_UP or not (day or evening):
        return None
    # Raised by false-alarm feedback and by a sensitivity below 1; not lowered by one above
    # 1, which shortens the learned limits under it.
    scale = ctx.model.offset_at(local) / min(ctx.config.sensitivity, 1.0)
    if st.context == Place.BEDROOM:
        if evening or asleep_morning(ctx) is not None:
            return None
        return Ceiling(NAP_CEILING * scale, "daytime")
    calibration = ctx.config.calibration
    hours, ceiling, room = (
        (DAY_HOURS, calibration.day_ceiling, RECORD_ROOM)
        if day
        else (EVENING_HOURS, calibration.evening_ceiling, EVENING_RECORD_ROOM)
    )
    period = "daytime" if day else "evening"
    record, days = ctx.model.record_s(local, hours)
    if days >= RECORD_DAYS:
        own = max(RECORD_FLOOR, room * timedelta(seconds=record))
    else:
        own = max(YOUNG_FLOOR, YOUNG_ROOM * room * timedelta(seconds=record))
    if days >= YOUNG_DAYS and own < ceiling:
        return Ceiling(own * scale, period, record, days)
    return Ceiling(ceiling * scale, period)


def _silence_details(ctx: Context, now: datetime) -> dict[str, Any]:
    st = ctx.state
    assert st.last_at is not None
    return {
        "last_activity_at": st.last_at.isoformat(),
        "last_activity_local": clock(st.local(st.last_at)),
        "room": str(st.last_sensor.room) if st.last_sensor else "",
        "device_id": st.last_sensor.id if st.last_sensor else "",
        "quiet_s": round((now - st.last_at).total_seconds()),
    }


def monitoring_lost_flag(ctx: Context, now: datetime, health: Health) -> Flag:
    st = ctx.state
    assert st.last_at is not None
    quiet = (now - st.last_at).total_seconds()
    text = (
        f"Veille cannot hear the home: {health.reason} (last movement"
        f" {clock(st.local(st.last_at))}, {duration(quiet)} ago). This may be a power or"
        " internet cut rather than a problem with the resident; please check the hub or call."
    )
    details = _silence_details(ctx, now) | {"reason": health.reason}
    return Flag("monitoring_lost", "warning", now, text, details)


def inactivity_flag(ctx: Context, now: datetime, health: Health | None) -> Flag:
    st = ctx.state
    assert st.last_at is not None
    if health is not None and health.lost:
        return monitoring_lost_flag(ctx, now, health)
    since = st.local(st.last_at)
    quiet = (now - st.last_at).total_seconds()
    exp = expectation(ctx)
    where = ROOM_NAMES[st.last_sensor.room] if st.last_sensor else PLACE_NAMES[st.place]
    if st.context == Place.NIGHT_UP:
        text = (
            f"Up at night and not back to bed: no movement since {clock(since)}"
            f" ({duration(quiet)}) in {where}."
        )
    else:
        text = f"No movement since {clock(since)} ({duration(quiet)}); last seen in {where}."
    seat = seated(ctx)
    day = None if seat is not None else day_ceiling(ctx)
    capped = day if day is not None and day.limit.total_seconds() < exp.threshold_s else None
    known = ctx.model.home_days(since)
    if seat is not None:
        on = (
            "in bed"
            if seat.bed
            else f"on {_SEAT_NAMES.get(ctx.config.sensor(seat.device).role, 'a seat')}"
        )
        text += (
            f" She has been {on} since {clock(st.local(seat.since))}"
            f" ({duration((now - seat.since).total_seconds())}), longer than she stays there"
            f" at this time of day (at most about {duration(seat.limit.total_seconds())})."
        )
    elif known < LEARNING_DAYS:
        text += (
            f" Veille is still learning this home's routine (day {known + 1} of {LEARNING_DAYS})"
        )
        text += (
            "." if capped else f" and uses a cautious limit of {duration(exp.threshold_s)} for now."
        )
    else:
        text += (
            f" On {day_kind(since)} around this time, quiet spells there usually end within"
            f" {duration(exp.usual_s)}"
        )
        longest = exp.longest_s
        text += f"; the longest in the last 4 weeks was {duration(longest)}." if longest else "."
    if capped is not None and capped.record_s is not None:
        days = "4 weeks" if capped.days >= RING_DAYS else f"{capped.days} days"
        text += (
            f" In the {capped.period} she has not been this still in {days} (her longest quiet"
            f" spell: {duration(capped.record_s)})."
        )
    elif capped is not None:
        text += (
            f" In the {capped.period}, this long without any movement is worth a call whatever"
            " the habit."
        )
    details = _silence_details(ctx, now) | {
        "usual_s": round(exp.usual_s),
        "threshold_s": round(exp.threshold_s),
        "place": st.context.name.lower(),
    }
    return Flag("inactivity", "warning", now, text, details)


# However early she usually rises, "not up" waits this long after she went to bed: a late
# night is followed by a late morning.
LONG_NIGHT = timedelta(hours=9)


def asleep_morning(ctx: Context) -> datetime | None:
    """The local morning a sleeping resident should be up by, or None if not asleep (an early
    trip out of the bedroom and back, before the usual rising time, is still the night)."""
    st = ctx.state
    local = st.last_local
    if local is None or st.place != Place.BEDROOM or st.out_since is not None:
        return None
    if not (local.hour >= 19 or local.hour < 11):
        return None
    morning = local.date() if local.hour < 11 else local.date() + timedelta(days=1)
    midnight = datetime.combine(morning, time(0), tzinfo=st.zone)
    if st.woke_on == morning and not _back_before_rising(ctx, midnight):
        return None  # already up today: the inactivity rule takes over
    return midnight


def _back_before_rising(ctx: Context, midnight: datetime) -> bool:
    """Back in the bedroom since before the usual rising time: an early trip (toilet,
    kitchen) and back to bed is still the night's sleep, so "not up" still applies."""
    st = ctx.state
    since = st.bedroom_since or st.last_at
    assert since is not None
    usual = ctx.model.habits.usual_wake_min(day_type_of(midnight))
    return st.local(since) < midnight + timedelta(minutes=usual)


def not_up_deadline(ctx: Context, horizon: datetime | None) -> datetime | None:
    midnight = asleep_morning(ctx)
    if midnight is None or ctx.state.not_up_on == midnight.date():
        return None  # not asleep, or already flagged today
    minutes = ctx.model.habits.wake_deadline_min(day_type_of(midnight), ctx.config.sensitivity)
    if minutes is None:
        return None
    # Wall-clock arithmetic in the home's zone: 08:30 stays 08:30 across a DST change.
    deadline = (midnight + timedelta(minutes=minutes)).astimezone(UTC)
    if ctx.state.night_since is not None:  # to bed at 03:30, not late at 11:00
        deadline = max(deadline, ctx.state.night_since + LONG_NIGHT)
    assert ctx.state.last_at is not None
    return deadline if deadline > ctx.state.last_at else None


def not_up_flag(ctx: Context, now: datetime, health: Health | None) -> Flag:
    st = ctx.state
    if health is not None and health.lost:
        return monitoring_lost_flag(ctx, now, health)
    assert st.last_at is not None
    local = st.local(now)
    usual = ctx.model.habits.usual_wake_min(day_type_of(local))
    st.not_up_on = local.date()
    text = (
        f"Not up yet at {clock(local)}: still in the bedroom, no movement since"
        f" {clock(st.local(st.last_at))}. On {day_kind(local)} she is usually up by"
        f" {int(usual // 60):02d}:{int(usual % 60):02d}."
    )
    details = _silence_details(ctx, now) | {"usual_wake_local_min": round(usual)}
    return Flag("not_up", "warning", now, text, details)


def bathroom_deadline(ctx: Context, horizon: datetime | None) -> datetime | None:
    st = ctx.state
    if st.bath_since is None or st.place != Place.BATHROOM:
        return None
    limit_s, _ = ctx.model.habits.bath_limits_s(ctx.config.sensitivity)
    deadline = st.bath_since + timedelta(seconds=limit_s)
    if st.last_at is not None and deadline - st.last_at >= STILL_IN_BATHROOM:
        return None  # nothing moves there any more: that is the inactivity rule's case
    return deadline


def bathroom_flag(ctx: Context, now: datetime, health: Health | None) -> Flag:
    st = ctx.state
    assert st.bath_since is not None
    assert st.last_at is not None
    _, usual = ctx.model.habits.bath_limits_s(ctx.config.sensitivity)
    stay = (now - st.bath_since).total_seconds()
    text = (
        f"In the bathroom since {clock(st.local(st.bath_since))} ({duration(stay)}); visits"
        f" usually last under {duration(usual)}. Last movement {clock(st.local(st.last_at))}."
    )
    details = _silence_details(ctx, now) | {
        "bathroom_since": st.bath_since.isoformat(),
        "usual_visit_s": round(usual),
    }
    return Flag("bathroom", "warning", now, text, details)

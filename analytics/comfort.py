"""Immediate and environmental flags: panic button or fall sensor, too cold, too hot."""

from __future__ import annotations

from datetime import datetime, timedelta

from analytics.decision import Clear, Decision, Flag
from analytics.explain import clock
from analytics.health import Health
from analytics.home import ROOM_NAMES, Observation
from analytics.state import Context

COLD_BELOW_C = 16.0
HOT_ABOVE_C = 30.0
HYSTERESIS_C = 1.0
SUSTAINED = timedelta(minutes=30)  # one odd reading (a window opened) is not a flag


def panic_flag(ctx: Context, obs: Observation) -> Flag:
    sensor = ctx.config.sensor(obs.device_id)
    local = ctx.state.local(obs.at)
    text = (
        f"Alarm raised at {clock(local)} in {ROOM_NAMES[sensor.room]}"
        f" ({obs.device_id}{': ' + obs.detail if obs.detail else ''}). Call or go now."
    )
    details = {"device_id": obs.device_id, "room": str(sensor.room), "local_time": clock(local)}
    return Flag("panic", "critical", obs.at, text, details)


def observe_temperature(ctx: Context, obs: Observation) -> list[Decision]:
    st = ctx.state
    value = obs.value
    st.temperature_c = value
    decisions: list[Decision] = []
    if value < COLD_BELOW_C:
        st.cold_since = st.cold_since or obs.at
    elif value >= COLD_BELOW_C + HYSTERESIS_C:
        st.cold_since = None
        if st.open.pop("too_cold", None):
            decisions.append(Clear("too_cold", obs.at, f"Back to {value:.1f} °C."))
    if value > HOT_ABOVE_C:
        st.hot_since = st.hot_since or obs.at
    elif value <= HOT_ABOVE_C - HYSTERESIS_C:
        st.hot_since = None
        if st.open.pop("too_hot", None):
            decisions.append(Clear("too_hot", obs.at, f"Back to {value:.1f} °C."))
    return decisions


def cold_deadline(ctx: Context, horizon: datetime | None) -> datetime | None:
    since = ctx.state.cold_since
    return None if since is None else since + SUSTAINED


def hot_deadline(ctx: Context, horizon: datetime | None) -> datetime | None:
    since = ctx.state.hot_since
    return None if since is None else since + SUSTAINED


def _temperature_flag(ctx: Context, now: datetime, kind: str, since: datetime) -> Flag:
    value = ctx.state.temperature_c
    word = "cold" if kind == "too_cold" else "hot"
    text = (
        f"The home is too {word}: {value:.1f} °C since {clock(ctx.state.local(since))}"
        f" (comfortable: {COLD_BELOW_C:.0f}-{HOT_ABOVE_C:.0f} °C). Check the heating"
        f"{' or the window' if word == 'cold' else ', fresh air and drinks'}."
    )
    return Flag(kind, "warning", now, text, {"temperature_c": value, "since": since.isoformat()})


def cold_flag(ctx: Context, now: datetime, health: Health | None) -> Flag:
    assert ctx.state.cold_since is not None
    return _temperature_flag(ctx, now, "too_cold", ctx.state.cold_since)


def hot_flag(ctx: Context, now: datetime, health: Health | None) -> Flag:
    assert ctx.state.hot_since is not None
    return _temperature_flag(ctx, now, "too_hot", ctx.state.hot_since)


def device_flags(ctx: Context, now: datetime, health: Health) -> list[Decision]:
    """Open or clear the upkeep flags (kinds 'maintenance' and 'low_battery')."""
    st = ctx.state
    decisions: list[Decision] = []
    wanted: dict[str, tuple[str, dict[str, object]]] = {}
    if health.silent_sensors and not health.lost:
        names = ", ".join(health.silent_sensors)
        text = (
            f"Sensor{'s' if len(health.silent_sensors) > 1 else ''} {names} stopped reporting"
            " while the others still do: a maintenance visit is needed (battery, range or"
            " the sensor itself). This says nothing about the resident."
        )
        wanted["maintenance"] = (text, {"devices": list(health.silent_sensors)})
    if health.low_batteries:
        names = ", ".join(f"{d} ({pct:.0f}%)" for d, pct in health.low_batteries)
        text = f"Batteries running low: {names}. Replace them in the coming days."
        wanted["low_battery"] = (text, {"devices": [d for d, _ in health.low_batteries]})
    for kind in ("maintenance", "low_battery"):
        if kind in wanted and kind not in st.open:
            text, details = wanted[kind]
            flag = Flag(kind, "info", now, text, dict(details))
            st.open[kind] = flag
            decisions.append(flag)
        elif kind not in wanted and st.open.pop(kind, None) is not None:
            decisions.append(Clear(kind, now, "All sensors report normally again."))
    return decisions

"""The registry of deadline rules the engine checks, in priority order.

Each rule has a deadline (the earliest time it could fire; with a `horizon`, a cheap lower
bound beyond it is enough) and a flag maker. The periodic check only looks at a home once its
earliest deadline has passed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from analytics import comfort, meals, outings, stillness
from analytics.decision import Flag
from analytics.health import Health
from analytics.state import Context

Deadline = Callable[[Context, datetime | None], datetime | None]
Maker = Callable[[Context, datetime, Health | None], Flag | None]


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    deadline: Deadline
    flag: Maker
    # kinds whose being open silences this rule (one message per episode)
    blocked_by: frozenset[str] = frozenset()


_STILL = frozenset({"inactivity", "not_up", "bathroom", "monitoring_lost"})
_UNPAUSED = ("too_cold", "too_hot")  # a declared holiday pauses every rule but these
RULES = (
    Rule("not_up", stillness.not_up_deadline, stillness.not_up_flag, _STILL),
    Rule("bathroom", stillness.bathroom_deadline, stillness.bathroom_flag, _STILL),
    Rule("inactivity", stillness.inactivity_deadline, stillness.inactivity_flag, _STILL),
    Rule(
        "not_back",
        outings.not_back_deadline,
        outings.not_back_flag,
        frozenset({"not_back", "out_at_night"}),
    ),
    Rule("no_meal", meals.no_meal_deadline, meals.no_meal_flag, _STILL | {"no_meal"}),
    Rule("too_cold", comfort.cold_deadline, comfort.cold_flag),
    Rule("too_hot", comfort.hot_deadline, comfort.hot_flag),
)


def _active(ctx: Context, rule: Rule) -> bool:
    return rule.kind not in ctx.state.open and not (rule.blocked_by & ctx.state.open.keys())


def next_deadline(ctx: Context, horizon: datetime | None = None) -> datetime | None:
    pause = ctx.config.away_until
    earliest: datetime | None = None
    for rule in RULES:
        if not _active(ctx, rule):
            continue
        deadline = rule.deadline(ctx, horizon)
        if deadline is None:
            continue
        if ctx.state.last_at is not None and deadline < ctx.state.last_at:
            deadline = ctx.state.last_at  # overdue while blocked: due now, not in the past
        if pause is not None and deadline < pause and rule.kind not in _UNPAUSED:
            deadline = pause  # a declared holiday: look again when it ends
        if earliest is None or deadline < earliest:
            earliest = deadline
    return earliest


def due(ctx: Context, now: datetime, health: Health | None) -> list[Flag]:
    pause = ctx.config.away_until
    flags: list[Flag] = []
    for rule in RULES:
        if not _active(ctx, rule):
            continue
        if pause is not None and now < pause and rule.kind not in _UNPAUSED:
            continue
        deadline = rule.deadline(ctx, None)
        if deadline is None or now < deadline:
            continue
        flag = rule.flag(ctx, now, health)
        if flag is not None and flag.kind not in ctx.state.open:
            ctx.state.open[flag.kind] = flag
            flags.append(flag)
    return flags

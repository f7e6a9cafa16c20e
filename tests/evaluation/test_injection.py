"""Where silences may be injected: labelled absences count as "not at home", and nothing is
drawn outside the span the labels cover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from analytics.home import HomeConfig, Observation, Sensor
from devices.signals import DeviceKind, Room, Signal
from evaluation.injection import LABEL_MARGIN, aware, in_home, plan

T0 = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
CONFIG = HomeConfig("h", "Europe/Paris", {"m": Sensor("m", DeviceKind.MOTION, Room.LIVING)})
# A motion sensor that keeps firing every 5 min for two days, as a pet or a draught would
# while the resident is out: the heuristic alone sees someone at home throughout.
STREAM = [
    Observation(T0 + timedelta(minutes=5 * i), "m", Signal.MOTION, 1.0, True) for i in range(576)
]
TIMES = [o.at for o in STREAM]
OUT = (T0 + timedelta(hours=4), T0 + timedelta(hours=7))


def test_a_labelled_absence_and_its_margins_are_not_in_home() -> None:
    def home(at: datetime) -> bool:
        return in_home(STREAM, TIMES, CONFIG, at, [OUT])

    start, end = OUT
    assert in_home(STREAM, TIMES, CONFIG, start + timedelta(hours=1))  # no labels: heuristic
    assert not home(start + timedelta(hours=1))
    assert not home(start - LABEL_MARGIN)
    assert not home(end + LABEL_MARGIN - timedelta(seconds=1))
    assert home(start - LABEL_MARGIN - timedelta(seconds=1))
    assert home(end + LABEL_MARGIN)


def test_labels_are_local_time_and_keep_day_injections_out_of_them() -> None:
    # 11:00-14:00 in Paris (UTC+1 in January) is 10:00-13:00 UTC: the same period as OUT.
    local = (datetime(2026, 1, 5, 11, 0), datetime(2026, 1, 5, 14, 0))  # noqa: DTZ001
    assert aware(local, CONFIG.zone) == OUT
    absences = [aware(local, CONFIG.zone)]
    days = [i.at for i in plan(STREAM, CONFIG, 30, 0, absences) if i.kind == "day"]
    assert len(days) == 30
    start, end = absences[0]
    assert not any(start - LABEL_MARGIN <= at < end + LABEL_MARGIN for at in days)
    before = [i.at for i in plan(STREAM, CONFIG, 30, 0) if i.kind == "day"]
    assert any(start <= at < end for at in before)  # without labels some land inside


MIDNIGHT = datetime(2026, 1, 4, 23, 0, tzinfo=UTC)  # 00:00 in Paris
NIGHTS_CONFIG = HomeConfig(
    "h",
    "Europe/Paris",
    {
        "m": Sensor("m", DeviceKind.MOTION, Room.LIVING),
        "b": Sensor("b", DeviceKind.MOTION, Room.BEDROOM),
    },
)


def _three_nights() -> list[Observation]:
    """Three days of a living-room sensor every 5 min, but each night in bed from 00:00 to
    02:00 local (two bedroom events half an hour apart), then up: a night moment each night."""
    stream: list[Observation] = []
    for i in range(3 * 288):
        at = MIDNIGHT + timedelta(minutes=5 * i)
        clock = (at - MIDNIGHT) % timedelta(days=1)
        in_bed = clock < timedelta(hours=2)
        if not in_bed or clock in (timedelta(0), timedelta(minutes=30)):
            stream.append(Observation(at, "b" if in_bed else "m", Signal.MOTION, 1.0, True))
    return stream


def test_nothing_is_drawn_outside_the_labelled_span() -> None:
    stream = _three_nights()
    everywhere = plan(stream, NIGHTS_CONFIG, 30, 5)
    assert sum(i.kind == "night" for i in everywhere) == 3  # one each night
    span = (MIDNIGHT + timedelta(hours=23), MIDNIGHT + timedelta(days=1, hours=12))
    inside = plan(stream, NIGHTS_CONFIG, 30, 5, span=span)
    assert sum(i.kind == "day" for i in inside) == 30
    assert sum(i.kind == "night" for i in inside) == 1
    assert all(span[0] <= i.at < span[1] for i in inside)
    assert any(not span[0] <= i.at < span[1] for i in everywhere)


def test_no_night_moment_while_the_labels_say_she_slept() -> None:
    """The second night's 02:00 event in the living room came while the labels have her
    asleep: a sensor firing on its own, not her getting up."""
    stream = _three_nights()
    second = MIDNIGHT + timedelta(days=1)
    asleep = [(second, second + timedelta(hours=3))]
    nights = [i.at for i in plan(stream, NIGHTS_CONFIG, 0, 5, asleep=asleep)]
    assert len(nights) == 2
    assert not any(second <= at <= second + timedelta(hours=3) for at in nights)


def test_a_daytime_moment_the_labels_have_her_asleep_is_a_lie_in_scored_apart() -> None:
    # 09:00-12:00 UTC (10:00-13:00 in Paris) asleep on the first day: a lie-in.
    asleep = [(T0 + timedelta(hours=3), T0 + timedelta(hours=6))]
    drawn = plan(STREAM, CONFIG, 30, 0, asleep=asleep)
    days = [i.at for i in drawn if i.kind == "day"]
    lie_ins = [i.at for i in drawn if i.kind == "lie_in"]
    assert len(days) == 30  # as many awake moments as asked for, lie-ins besides
    assert lie_ins
    assert all(asleep[0][0] <= at <= asleep[0][1] for at in lie_ins)
    assert not any(asleep[0][0] <= at <= asleep[0][1] for at in days)
    # The same draws: each lie-in is a moment the plan without labels calls daytime.
    unlabelled = {i.at for i in plan(STREAM, CONFIG, 30 + len(lie_ins), 0) if i.kind == "day"}
    assert set(lie_ins) | set(days) == unlabelled

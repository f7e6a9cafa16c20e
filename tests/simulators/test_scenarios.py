"""Each scenario leaves its signature in the events and says what happened in ground truth."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from devices.signals import Room
from simulators.home import HomeSpec, Simulation
from simulators.layout import standard_layout
from simulators.scenario import ScenarioError
from simulators.scenarios import parse_cue
from tests.simulators.life import is_activity

START = datetime(2026, 3, 2, 6, tzinfo=UTC)
LAYOUT = standard_layout("sc", "Europe/Paris")


def _run(cue: str, days: float = 2) -> Simulation:
    spec = HomeSpec(LAYOUT, seed=11, scenarios=(parse_cue(cue, START, LAYOUT.zone),))
    return Simulation(spec, START, START + timedelta(days=days))


def test_fall_silences_the_resident_but_not_the_devices() -> None:
    sim = _run("fall@2026-03-02T12:20:00:bathroom")
    events = list(sim.events())
    fall_at = datetime(2026, 3, 2, 11, 20, tzinfo=UTC)  # 12:20 in Paris, in the armchair
    assert [(t.scenario, t.began_at, t.room) for t in sim.truth] == [
        ("fall", fall_at, Room.BATHROOM)
    ]
    after = [e for e in events if e.at > fall_at]
    assert not [e for e in after if is_activity(e)]
    # The fall itself is the last thing a sensor sees: the bathroom PIR at the moment.
    last = max((e for e in events if is_activity(e)), key=lambda e: e.at)
    assert (last.device_id, last.at) == ("bathroom-pir", fall_at)
    # Liveness goes on for the whole window: battery and link quality from every device.
    reporting = {e.device_id for e in after if e.at > fall_at + timedelta(days=1)}
    assert reporting == {d.id for d in LAYOUT.devices}
    assert sim.truth[0].to_json().startswith('{"home":"sc","scenario":"fall"')


def test_fall_during_an_outing_happens_on_coming_home() -> None:
    sim = _run("fall@+4h", days=1)
    events = list(sim.events())
    truth = sim.truth[0]
    assert truth.began_at > START + timedelta(hours=4)
    assert truth.room is Room.HALL
    assert not [e for e in events if e.at > truth.began_at and is_activity(e)]


@pytest.mark.parametrize("cue", ["tumble@+1h", "fall@tomorrow", "fall@+2x", "fall@+1h:garage"])
def test_bad_cues_are_refused(cue: str) -> None:
    with pytest.raises(ScenarioError):
        parse_cue(cue, START, LAYOUT.zone)


def test_cue_times_are_local_unless_they_carry_an_offset() -> None:
    local = parse_cue("fall@2026-07-01T12:00", START, LAYOUT.zone)
    assert local.at == datetime(2026, 7, 1, 10, tzinfo=UTC)
    offset = parse_cue("fall@2026-07-01T12:00+00:00", START, LAYOUT.zone)
    assert offset.at == datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert parse_cue("fall", START, LAYOUT.zone).at == START + timedelta(hours=1)

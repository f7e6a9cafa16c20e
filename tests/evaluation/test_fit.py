"""What the detector takes from other homes is fitted on their logs, and `veille eval` scores
each home with a fit that never saw it."""

from __future__ import annotations

from datetime import timedelta

from analytics.calibration import SHIPPED, Calibration
from devices.datasets import load_home
from evaluation.command import calibrations
from evaluation.fit import Longest, fit_calibration, longest
from evaluation.replay import home_config, observations
from evaluation.scoring import SHARED, SINGLE, recordings

CASAS = Longest(day_s=148 * 60.0, evening_s=183 * 60.0)
KASTEREN_A = Longest(day_s=115 * 60.0, evening_s=164 * 60.0)


def test_refitting_on_every_single_resident_home_gives_the_shipped_calibration() -> None:
    trained = []
    for name in SINGLE:
        records, sensor_map = load_home(name)
        config = home_config(sensor_map)
        trained.append(longest(config, recordings(list(observations(records, config)))))
    assert fit_calibration(trained) == SHIPPED


def test_a_ceiling_is_above_the_longest_spell_seen_on_the_half_hour() -> None:
    fitted = fit_calibration([CASAS, KASTEREN_A])
    assert fitted == Calibration(timedelta(hours=3), timedelta(hours=3, minutes=30))
    # Without CASAS, its 2 h 28 afternoon is just under the others' ceiling.
    assert fit_calibration([KASTEREN_A]).day_ceiling == timedelta(hours=2, minutes=30)


def test_leave_one_home_out_scores_each_home_with_a_fit_on_the_others_only() -> None:
    trained = {"casas-al-smarthome": CASAS, "kasteren-a": KASTEREN_A}
    held_out = calibrations(trained, in_sample=False)
    assert held_out["casas-al-smarthome"] == fit_calibration([KASTEREN_A])
    assert held_out["kasteren-a"] == fit_calibration([CASAS])
    in_sample = calibrations(trained, in_sample=True)
    assert in_sample["casas-al-smarthome"] == fit_calibration([CASAS, KASTEREN_A])
    # The two-resident homes are never in the fit: every single home's fit is theirs.
    assert all(held_out[h] == in_sample[h] for h in SHARED)

"""The absences and sleep each real home's labels record, and the span they cover, on the same
time base as its records."""

from __future__ import annotations

import bisect
import gzip
import itertools
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from devices.datasets import ARAS_DAY_1, HOMES, load_home
from devices.datasets.absences import LABELS, home_labels
from devices.datasets.home import DEFAULT_DATA_ROOT
from devices.signals import Role

# Absences counted by hand from the label files (CASAS: 74 Leave_Home -> Enter_Home, plus one
# Step_Out -> Enter_Home). tm000 has no labels, only the absence its README describes.
EXPECTED = {
    "casas-al-smarthome": 75,
    "casas-cil-tm000": 1,
    "kasteren-a": 34,
    "kasteren-b": 24,
    "kasteren-c": 47,
    "aras-a": 43,
    "aras-b": 24,
}
NEAR = timedelta(minutes=10)
# Days the labels cover. kasteren-b's cover only 24 July to 7 August of its 28 days.
SPAN_DAYS = {
    "casas-al-smarthome": 29.9,
    "kasteren-a": 27.8,
    "kasteren-b": 14.3,
    "kasteren-c": 18.4,
    "aras-a": 30.0,
    "aras-b": 30.0,
}


def test_every_home_has_labels() -> None:
    assert set(LABELS) == set(HOMES) == set(EXPECTED)
    with pytest.raises(KeyError, match="unknown dataset home"):
        home_labels("nowhere", DEFAULT_DATA_ROOT)


@pytest.mark.parametrize("home", sorted(EXPECTED))
def test_absences_meet_the_front_door(home: str) -> None:
    """The front door fires near where the labels put departures and returns: a wrong time
    base (UTC vs local, a shifted day) would miss most of them."""
    periods = home_labels(home, DEFAULT_DATA_ROOT).absences
    assert len(periods) == EXPECTED[home]
    assert all(start < end for start, end in periods)
    assert all(a[1] < b[0] for a, b in itertools.pairwise(periods))
    records, sensor_map = load_home(home)
    doors = {s for s, info in sensor_map.sensors.items() if info.role is Role.ENTRANCE}
    door_times = [r.at for r in records if r.sensor in doors]

    def near(at: datetime) -> bool:
        i = bisect.bisect_left(door_times, at - NEAR)
        return i < len(door_times) and door_times[i] <= at + NEAR

    met = sum(near(start) or near(end) for start, end in periods)
    assert met >= 0.8 * len(periods)


@pytest.mark.parametrize("home", sorted(EXPECTED))
def test_span_lies_within_the_records_and_holds_the_absences(home: str) -> None:
    labels = home_labels(home, DEFAULT_DATA_ROOT)
    if home not in SPAN_DAYS:
        assert labels.span is None  # tm000: no activity labels
        return
    assert labels.span is not None
    start, end = labels.span
    assert (end - start) / timedelta(days=1) == pytest.approx(SPAN_DAYS[home], abs=0.05)
    records, _ = load_home(home)
    # Labels may start or end a few minutes off the first and last sensor events.
    assert records[0].at - timedelta(hours=1) <= start < end <= records[-1].at + timedelta(hours=1)
    assert all(start <= a <= b <= end for a, b in labels.absences)


def test_kasteren_b_labels_cover_half_its_records() -> None:
    labels = home_labels("kasteren-b", DEFAULT_DATA_ROOT)
    assert labels.span is not None
    assert labels.span[0].date() == date(2009, 7, 24)
    assert labels.span[1].date() == date(2009, 8, 7)
    records, _ = load_home("kasteren-b")
    assert (records[-1].at - records[0].at).days == 27


def test_casas_departure_runs_until_the_next_enter_home(tmp_path: Path) -> None:
    folder = tmp_path / "casas-al-smarthome"
    folder.mkdir()
    lines = [
        ("08:00:00", "OPEN", "Leave_Home"),
        ("08:00:05", "CLOSE", "Leave_Home"),
        ("08:00:06", "ON", "Other_Activity"),
        ("09:00:00", "OPEN", "Enter_Home"),
        ("09:00:05", "CLOSE", "Enter_Home"),
        ("10:00:00", "OPEN", "Step_Out"),  # back in at once: not an absence
        ("10:00:09", "ON", "Other_Activity"),
        ("11:00:00", "OPEN", "Step_Out"),  # then Enter_Home: an absence
        ("12:00:00", "OPEN", "Enter_Home"),
    ]
    (folder / "data.txt").write_text(
        "".join(f"2011-06-15 {t}.5 OutsideDoor FrontDoor {s} {label}\n" for t, s, label in lines)
    )
    at = datetime.fromisoformat
    labels = home_labels("casas-al-smarthome", tmp_path)
    assert labels.absences == [
        (at("2011-06-15 08:00:05.5"), at("2011-06-15 09:00:00.5")),
        (at("2011-06-15 11:00:00.5"), at("2011-06-15 12:00:00.5")),
    ]
    assert labels.span == (at("2011-06-15 08:00:00.5"), at("2011-06-15 12:00:00.5"))


def test_casas_sleep_runs_first_line_to_last(tmp_path: Path) -> None:
    folder = tmp_path / "casas-al-smarthome"
    folder.mkdir()
    lines = [
        ("01:00:00", "Bedroom", "Sleep"),
        ("01:40:00", "Bedroom", "Sleep"),
        ("01:45:00", "Bathroom", "Bed_Toilet_Transition"),
        ("01:50:00", "Bedroom", "Sleep"),
        ("04:00:00", "Bathroom", "Sleep"),  # the annotator saw her asleep: noise
        ("06:00:00", "Bedroom", "Sleep"),
    ]
    (folder / "data.txt").write_text(
        "".join(f"2011-06-15 {t}.5 {sensor} ON {label}\n" for t, sensor, label in lines)
    )
    at = datetime.fromisoformat
    assert home_labels("casas-al-smarthome", tmp_path).asleep == [
        (at("2011-06-15 01:00:00.5"), at("2011-06-15 01:40:00.5")),
        (at("2011-06-15 01:50:00.5"), at("2011-06-15 06:00:00.5")),
    ]


def test_kasteren_b_sleep_leaves_out_the_nights_toilet_visits() -> None:
    """The night of 31 July: ``go to bed`` from 22:35:15 to 10:45:20, ``use toilet`` from
    05:19:06 to 05:20:08 inside it; the kitchen PIR fires at 01:50:40 with nobody up."""
    asleep = home_labels("kasteren-b", DEFAULT_DATA_ROOT).asleep

    def sleeping(text: str) -> bool:
        moment = datetime.fromisoformat(text)
        return any(start <= moment <= end for start, end in asleep)

    assert sleeping("2009-08-01T01:50:40")
    assert not sleeping("2009-08-01T05:18:48")  # 18 s before the toilet: getting up
    assert not sleeping("2009-08-01T05:21:00")
    assert sleeping("2009-08-01T05:23:00")
    assert not sleeping("2009-08-01T12:00:00")


def test_aras_needs_both_residents_out_and_joins_midnight(tmp_path: Path) -> None:
    folder = tmp_path / "aras" / "houseA"
    folder.mkdir(parents=True)
    sensors = " ".join(["0"] * 20)
    day_1 = [f"{sensors} 2 11\n"] * 10 + [f"{sensors} 2 2\n"] * 86_390
    day_2 = [f"{sensors} 2 2\n"] * 5 + [f"{sensors} 11 2\n"] * 86_395
    for day, lines in ((1, day_1), (2, day_2)):
        with gzip.open(folder / f"DAY_{day}.txt.gz", "wt") as out:
            out.writelines(lines)
    labels = home_labels("aras-a", tmp_path)
    assert labels.absences == [
        (ARAS_DAY_1 + timedelta(seconds=10), ARAS_DAY_1 + timedelta(days=1, seconds=5))
    ]
    assert labels.span == (ARAS_DAY_1, ARAS_DAY_1 + timedelta(days=2))
    # Sleeping (11) for one resident only is not the home asleep.
    assert labels.asleep == []


def test_aras_sleep_needs_both_residents_asleep(tmp_path: Path) -> None:
    folder = tmp_path / "aras" / "houseA"
    folder.mkdir(parents=True)
    sensors = " ".join(["0"] * 20)
    day = [f"{sensors} 11 11\n"] * 100 + [f"{sensors} 15 11\n"] * 50
    day += [f"{sensors} 11 11\n"] * (86_400 - 150)
    with gzip.open(folder / "DAY_1.txt.gz", "wt") as out:
        out.writelines(day)
    assert home_labels("aras-a", tmp_path).asleep == [
        (ARAS_DAY_1, ARAS_DAY_1 + timedelta(seconds=100)),
        (ARAS_DAY_1 + timedelta(seconds=150), ARAS_DAY_1 + timedelta(days=1)),
    ]

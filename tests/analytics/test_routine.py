"""The routine model learns in local time, fades its prior, and persists."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.health import DeviceHealth, assess
from analytics.home import HomeConfig, Place, Sensor
from analytics.routine import RoutineModel
from devices.signals import DeviceKind, Room

PARIS = ZoneInfo("Europe/Paris")


def learn_mornings(model: RoutineModel, first: datetime, days: int, quiet: timedelta) -> None:
    for day in range(days):
        start = first + timedelta(days=day)  # wall-clock arithmetic: 10:00 local every day
        for minute in range(0, 120, 15):
            model.note_presence(start + timedelta(minutes=minute))
        model.learn_silence(start, Place.LIVING, quiet.total_seconds())


def test_thresholds_follow_local_time_across_the_dst_change() -> None:
    model = RoutineModel()
    learn_mornings(model, datetime(2026, 3, 16, 10, 0, tzinfo=PARIS), 12, timedelta(minutes=50))
    before = model.expect(datetime(2026, 3, 27, 10, 0, tzinfo=PARIS), Place.LIVING)
    after = model.expect(datetime(2026, 3, 30, 10, 0, tzinfo=PARIS), Place.LIVING)  # CEST
    assert before.threshold_s == after.threshold_s
    assert after.longest_s == 50 * 60


def test_own_data_replace_the_cautious_prior() -> None:
    fresh = RoutineModel()
    at = datetime(2026, 3, 16, 10, 0, tzinfo=PARIS)
    prior = fresh.expect(at, Place.LIVING)
    learn_mornings(fresh, at - timedelta(days=20), 20, timedelta(minutes=30))
    learned = fresh.expect(at, Place.LIVING)
    assert learned.learned > prior.learned
    assert learned.threshold_s < prior.threshold_s
    assert learned.threshold_s > 30 * 60  # still beyond what the home itself does


def test_nothing_heard_since_the_last_movement_means_monitoring_lost() -> None:
    now = datetime(2026, 3, 16, 14, 0, tzinfo=PARIS)
    moved = now - timedelta(hours=3)
    quiet = [DeviceHealth("pir", moved), DeviceHealth("door", moved - timedelta(hours=1))]
    assert assess(quiet, now, moved).lost
    alive = [*quiet, DeviceHealth("temp", now - timedelta(minutes=20))]
    assert not assess(alive, now, moved).lost
    bridge = [DeviceHealth("pir", now, silence="bridge_offline")]
    assert assess(bridge, now, moved).lost


def test_silences_after_a_passing_sensor_shorten_its_limit_never_lengthen_others() -> None:
    model = RoutineModel()
    first = datetime(2026, 3, 2, 10, 0, tzinfo=PARIS)
    for day in range(20):
        start = first + timedelta(days=day)
        for minute in range(0, 120, 15):
            model.note_presence(start + timedelta(minutes=minute))
        model.learn_silence(start, Place.LIVING, 8 * 60, device="doorway")  # walks past
        model.learn_silence(start, Place.LIVING, 90 * 60, device="armchair")  # television
    model.learn_silence(first, Place.LIVING, 5 * 60, device="lamp")  # one silence says little
    at = first + timedelta(days=21)
    room = model.expect(at, Place.LIVING).threshold_s
    assert model.expect(at, Place.LIVING, device="doorway").threshold_s < room
    assert model.expect(at, Place.LIVING, device="armchair").threshold_s == room
    assert model.expect(at, Place.LIVING, device="lamp").threshold_s == room
    restored = RoutineModel.from_bytes(model.to_bytes())
    assert restored.expect(at, Place.LIVING, device="doorway") == model.expect(
        at, Place.LIVING, device="doorway"
    )


def test_where_no_motion_sensor_sees_her_sit_any_place_may_be_followed_by_a_sitting() -> None:
    contacts_only = HomeConfig("a", sensors={"d": Sensor("d", DeviceKind.CONTACT, Room.KITCHEN)})
    assert not contacts_only.sees_motion
    assert HomeConfig("b", sensors={"m": Sensor("m", DeviceKind.MOTION)}).sees_motion
    model = RoutineModel()
    at = datetime(2026, 3, 16, 10, 0, tzinfo=PARIS)
    seen = model.expect(at, Place.KITCHEN).threshold_s
    unseen = model.expect(at, Place.KITCHEN, sits_unseen=True).threshold_s
    assert unseen > seen
    assert unseen >= model.expect(at, Place.LIVING).threshold_s
    night_trip = model.expect(at, Place.NIGHT_UP, sits_unseen=True)
    assert night_trip == model.expect(at, Place.NIGHT_UP)  # a night trip is still a trip


def test_a_new_home_waits_longer_after_an_office_than_after_a_kitchen() -> None:
    """The priors follow the real homes with motion sensors: none stayed quiet in the kitchen
    over 67 min, while CASAS sat at its desk for over 2 h."""
    model = RoutineModel()
    at = datetime(2026, 3, 16, 10, 0, tzinfo=PARIS)
    assert model.expect(at, Place.KITCHEN).threshold_s < 90 * 60
    assert model.expect(at, Place.OTHER).threshold_s > 3 * 3600

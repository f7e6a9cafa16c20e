"""The present of one home as the detector sees it: where the last movement was, whether the
resident is in, which flags are open, and today's running tallies. Plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from analytics.daily import DayStats
from analytics.decision import Flag
from analytics.home import HomeConfig, Observation, Place, Sensor
from analytics.routine import Expectation, RoutineModel
from devices.signals import Room

DEPART_AFTER = timedelta(minutes=10)  # silence after the front door that means "went out"
# A lone event after a long silence, not followed by another within BLIP_CONFIRM, is taken
# for sensor noise (a PIR seeing sunlight, a fridge compressor) or a single twitch: it
# neither ends an absence, nor moves the silence elsewhere, nor resolves an open alert. The
# same device again within seconds (a contact's open and close) is still one lone event.
BLIP_AFTER = timedelta(hours=2)
BLIP_CONFIRM = timedelta(minutes=5)
# Two lone events this close together are sparse movement (someone reading, moving now and
# then), not noise: the second one confirms.
LONE_REPEAT = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Snapshot:
    last_at: datetime | None
    last_sensor: Sensor | None
    place: Place
    out_since: datetime | None
    returned: bool
    night_up: bool
    rose_from: str | None

    @property
    def may_be_out(self) -> bool:
        """Out, or just through the front door on the way out (not coming in)."""
        return self.out_since is not None or (self.place == Place.ENTRANCE and not self.returned)


@dataclass
class HomeState:
    zone: ZoneInfo
    last_at: datetime | None = None
    last_sensor: Sensor | None = None
    place: Place = Place.OTHER  # where the current silence started
    out_since: datetime | None = None  # set once a door-then-silence says the resident left
    returned: bool = False  # the last door event ended an absence: they came in
    arrived_at: datetime | None = None  # when they last came in through the front door
    bath_since: datetime | None = None  # start of the current bathroom visit
    bedroom_since: datetime | None = None  # start of the current stay in the bedroom
    # for the daily statistics: the same stay, short trips out (the toilet at night) included
    night_since: datetime | None = None
    left_bedroom_at: datetime | None = None
    night_up: bool = False  # got out of bed at night and not back in the bedroom yet
    night_watched: bool = True  # a return to bed would be seen (`analytics.coverage`)
    woke_on: date | None = None  # the local day the resident was last seen up
    not_up_on: date | None = None  # the local day "not up yet" was last flagged
    visitors_until: datetime | None = None
    visitor_hits: list[datetime] = field(default_factory=list)  # two rooms at once, recently
    # last activity per place: when, and in which room
    recent: dict[Place, tuple[datetime, Room]] = field(default_factory=dict)
    cold_since: datetime | None = None
    hot_since: datetime | None = None
    temperature_c: float | None = None
    day: DayStats | None = None
    meal_day: date | None = None  # the local date the meal tallies below are for
    meal_first: dict[int, datetime] = field(default_factory=dict)  # window -> first kitchen use
    meal_home: set[int] = field(default_factory=set)  # windows with any activity at home
    meal_flagged: set[int] = field(default_factory=set)  # windows already flagged today
    meal_out: set[int] = field(default_factory=set)  # windows spent out today (`MEAL_OUT`)
    before_blip: Snapshot | None = None  # the silence a possibly spurious event interrupted
    # what that event would end, if confirmed: (event, sensor, silence seconds, its place)
    pending: tuple[Observation, Sensor, float, Place] | None = None
    lone_at: datetime | None = None  # the last event taken for noise
    doubted: bool = False  # the held event is from a sensor known to fire alone (in bed)
    # while out: events each sensor made on its own (dropped), and when a sensor was named
    lone_while_out: dict[str, int] = field(default_factory=dict)
    noisy_told: dict[str, datetime] = field(default_factory=dict)
    open: dict[str, Flag] = field(default_factory=dict)
    # occupancy as a state: mats pressed now, and since when (see `analytics.occupancy`)
    occupied: dict[str, datetime] = field(default_factory=dict)
    rose_from: str | None = None  # the current silence began by getting up from this mat
    expectation: Expectation | None = None  # cached for the current silence

    def snapshot(self) -> Snapshot:
        return Snapshot(
            self.last_at,
            self.last_sensor,
            self.place,
            self.out_since,
            self.returned,
            self.night_up,
            self.rose_from,
        )

    def settle(self, now: datetime, at_once: bool = False) -> str | None:
        """Undo a lone event once it is clear nothing followed it (`at_once`: already clear);
        returns its device if that happened while the resident may have been out."""
        snap, pending = self.before_blip, self.pending
        if snap is None or pending is None or self.last_at is None:
            return None
        if now - self.last_at < BLIP_CONFIRM and not at_once:
            return None
        self.before_blip = self.pending = None
        self.lone_at = self.last_at
        self.last_at, self.last_sensor, self.place = snap.last_at, snap.last_sensor, snap.place
        self.out_since, self.returned, self.expectation = snap.out_since, snap.returned, None
        self.night_up, self.rose_from = snap.night_up, snap.rose_from
        return pending[0].device_id if snap.may_be_out else None

    def local(self, at: datetime) -> datetime:
        return at.astimezone(self.zone)

    @property
    def last_local(self) -> datetime | None:
        return None if self.last_at is None else self.local(self.last_at)

    @property
    def context(self) -> Place:
        """Where the current silence started, as the routine model conditions on it."""
        if (
            self.night_up
            and self.night_watched
            and self.place not in (Place.BEDROOM, Place.ENTRANCE)
        ):
            return Place.NIGHT_UP
        return self.place

    def left_at(self) -> datetime | None:
        """When the resident went out (door, then silence), or None while they are in."""
        if self.out_since is not None:
            return self.out_since
        if self.place == Place.ENTRANCE and self.last_at is not None:
            return self.last_at
        return None


@dataclass
class Context:
    """Everything a rule may read: the present, the learned routine, the home's settings."""

    state: HomeState
    model: RoutineModel
    config: HomeConfig
    sees_bed: bool = True  # a return to bed can be seen (`analytics.coverage`)

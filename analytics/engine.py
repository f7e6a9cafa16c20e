"""The event-time engine: one `HomeDetector` per home, fed observations, asked to check.

The same object runs live (checks driven by the wall clock), in the time-warped demo and
offline over a recorded log: it never reads a clock, it is told `now`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from analytics import comfort, coverage, meals, noisy, occupancy, rules, stillness
from analytics.daily import DayStats
from analytics.decision import INACTIVITY_KINDS, Clear, Decision, Flag
from analytics.explain import clock, duration
from analytics.health import Health
from analytics.home import ROOM_NAMES, HomeConfig, Observation, Place, Sensor
from analytics.routine import RoutineModel
from analytics.slots import is_night
from analytics.state import (
    BLIP_AFTER,
    BLIP_CONFIRM,
    DEPART_AFTER,
    LONE_REPEAT,
    Context,
    HomeState,
)
from devices.signals import Signal

VISITOR_WINDOW = timedelta(seconds=2)  # two distant rooms this close together: two people
VISITOR_HOLD = timedelta(minutes=30)
VISITOR_SPAN = timedelta(minutes=10)
VISITOR_HITS = 3
_DISTANT = frozenset({Place.BEDROOM, Place.BATHROOM, Place.KITCHEN, Place.LIVING})
DAY_STARTS = timedelta(hours=4)  # a day's statistics run 04:00-04:00 local
IN_BED = timedelta(minutes=20)  # in the bedroom this long at night: gone to bed
SLEEP = timedelta(hours=2)  # a bedroom stay this long is a night's (or a nap's) sleep
TRIP = timedelta(hours=24)  # out (or unseen) longer than this: a trip, not an outing
EXCURSION = timedelta(minutes=30)  # out of the bedroom and back within this: one stay
SAME_TRIGGER = timedelta(seconds=10)  # one device twice this close: one trigger
DOOR_PASSAGE = timedelta(minutes=2)  # the front door's events this close: one passage
BATH_PAUSE = timedelta(hours=2)  # quiet this long in the bathroom: the last visit ended unseen


def _day_hour(local: datetime) -> float:
    """Hours since the start of the statistics day's date: 01:30 the next night is 25.5."""
    shifted = local - DAY_STARTS
    return shifted.hour + 4 + shifted.minute / 60


class HomeDetector:
    def __init__(self, config: HomeConfig, model: RoutineModel | None = None) -> None:
        self.model = model or RoutineModel()
        self.state = HomeState(zone=config.zone)
        self.ctx = Context(self.state, self.model, config, coverage.sees_bed(config))
        self.learn_after: datetime | None = None  # silences ending before are in the model
        self.days: list[DayStats] = []  # completed days, for the slow-change scorer

    @property
    def config(self) -> HomeConfig:
        return self.ctx.config

    @config.setter
    def config(self, config: HomeConfig) -> None:
        self.ctx.config = config
        self.ctx.sees_bed = coverage.sees_bed(config)

    def observe(self, obs: Observation) -> list[Decision]:
        """Take one event (in event-time order); returns flags it raises or clears."""
        if obs.signal == Signal.PANIC and obs.value > 0:
            return [comfort.panic_flag(self.ctx, obs)]
        if obs.signal == Signal.TEMPERATURE_C:
            return comfort.observe_temperature(self.ctx, obs)
        st = self.state
        sensor = self.config.sensor(obs.device_id)
        # Getting up is a person's doing, whether or not the verdict counted the release.
        released = self._released(obs, sensor)
        if not (obs.activity or released) or (st.last_at is not None and obs.at < st.last_at):
            return []  # not a person, or late: the present has moved on
        local = st.local(obs.at)
        decisions = self._settle(obs.at)
        pending, before = st.pending, st.before_blip
        if self._echo_of_lone_trigger(obs, sensor):
            return []
        if before is not None and pending is not None:
            if before.may_be_out and sensor.place == Place.ENTRANCE:
                decisions += self._settle(obs.at, at_once=True)  # the door: not them inside
            else:
                # A second event soon after: the lone one was real after all.
                decisions += self._end_silence(*pending, before.last_sensor, before.rose_from)
            st.before_blip = st.pending = None
        unsure = False
        if st.last_at is not None:
            gap_s = (obs.at - st.last_at).total_seconds()
            if st.place == Place.ENTRANCE and gap_s >= DEPART_AFTER.total_seconds():
                st.out_since = st.out_since or st.last_at
            # Once the front door has opened on the way out, one sensor alone does not say
            # the resident is in: PIRs, mats and tilt switches fire in empty homes.
            unsure = st.snapshot().may_be_out and sensor.place != Place.ENTRANCE
            # Nor does a sensor known to do that say she got up, while she is in bed.
            st.doubted = not unsure and self._fires_alone_in_bed(obs, sensor)
            unsure = unsure or st.doubted
            lone_again = st.lone_at is not None and obs.at - st.lone_at <= LONE_REPEAT
            # Getting up from a mat ends a stay, however long: never a lone twitch.
            long_quiet = obs.at - st.last_at >= BLIP_AFTER and not (lone_again or released)
            if unsure or long_quiet:
                # Possibly noise: decide once we see whether anything follows.
                st.before_blip, st.pending = st.snapshot(), (obs, sensor, gap_s, st.context)
            else:
                decisions += self._end_silence(
                    obs, sensor, gap_s, st.context, st.last_sensor, st.rose_from
                )
        if not unsure:  # what an empty home's sensors do says nothing of the resident's day
            if sensor.place != Place.ENTRANCE:
                self.model.note_presence(local)
            self._learn_habits(obs.at, local, sensor.place)
            meals.note_activity(self.ctx, local, sensor.place)
        self._move(obs.at, sensor)
        self._note_occupancy(obs, sensor, local, unsure, released)
        return decisions

    def _released(self, obs: Observation, sensor: Sensor) -> bool:
        held = occupancy.holds_state(sensor.kind, sensor.role, obs.signal)
        return held and obs.value <= 0 and obs.device_id in self.state.occupied

    def _note_occupancy(
        self, obs: Observation, sensor: Sensor, local: datetime, unsure: bool, released: bool
    ) -> None:
        """Keep which mats are pressed; learn how long she stays on each. A person seen
        elsewhere is on no mat here, whatever a mat that failed to release still says."""
        st = self.state
        st.rose_from = None
        if released:
            since = st.occupied.pop(obs.device_id)
            # Off one mat while another in the room is still pressed (a bed's left and right
            # mats): shifting, not getting up.
            if all(self.config.sensor(d).place != sensor.place for d in st.occupied):
                st.rose_from = obs.device_id
            if not unsure:
                stay_s = (obs.at - since).total_seconds()
                self.model.occupancy.learn_stay(obs.device_id, st.local(since).hour, stay_s)
        elif occupancy.holds_state(sensor.kind, sensor.role, obs.signal) and obs.value > 0:
            st.occupied.setdefault(obs.device_id, obs.at)
        if not unsure:
            for device in [d for d in st.occupied if self.config.sensor(d).place != sensor.place]:
                st.occupied.pop(device)

    def _fires_alone_in_bed(self, obs: Observation, sensor: Sensor) -> bool:
        """In bed (the night, or the morning before she is up; not dressing at 15:00, when a
        held kitchen PIR would leave her in the bedroom while she cooks)."""
        st = self.state
        # Cheapest and rarest first: this runs on every event.
        if not self.model.fires_alone(obs.device_id) or st.place != Place.BEDROOM:
            return False
        if sensor.place in (Place.BEDROOM, Place.ENTRANCE):
            return False
        return is_night(st.local(obs.at)) or stillness.asleep_morning(self.ctx) is not None

    def _echo_of_lone_trigger(self, obs: Observation, sensor: Sensor) -> bool:
        """The same device again within seconds of a possibly spurious event (a contact's
        open and close, a mat's press and release) is one trigger, and does not confirm it.
        While the resident may be out, or the device is known to fire alone, the same device
        never confirms itself: a flapping sensor in an empty home repeats for hours; a person
        coming in (or getting up) passes a second one. The front door is never noise."""
        st = self.state
        pending, before = st.pending, st.before_blip
        if pending is None or before is None or sensor.place == Place.ENTRANCE:
            return False
        if obs.device_id != pending[0].device_id:
            return False
        return before.may_be_out or st.doubted or obs.at - pending[0].at < SAME_TRIGGER

    def _settle(self, now: datetime, at_once: bool = False) -> list[Decision]:
        """Drop a held event nothing confirmed (see `HomeState.settle`)."""
        device = self.state.settle(now, at_once)
        return [] if device is None else noisy.dropped(self.ctx, device, now)

    def _end_silence(
        self,
        obs: Observation,
        sensor: Sensor,
        gap_s: float,
        place: Place,
        after: Sensor | None,
        rose_from: str | None,
    ) -> list[Decision]:
        """A silence in `place`, begun after an event of `after`, really ended with `obs`:
        learn it, clear what it raised. Nothing over a day is learned: an absence that long
        was a trip, not one of the outings whose usual length `not_back` judges, and a day
        without movement at home was an unseen absence or a gap in the data, not a quiet
        spell to expect again."""
        start = obs.at - timedelta(seconds=gap_s)
        decisions: list[Decision] = []
        if place == Place.ENTRANCE:  # an absence ended: the day it ended on counts it
            self._day(self.state.local(obs.at)).hours_out += gap_s / 3600
            meals.note_absence(self.ctx, self.state.local(start), self.state.local(obs.at))
            decisions += noisy.absence_ended(self.ctx, obs.at)
        routine = gap_s <= TRIP.total_seconds()
        if (self.learn_after is None or obs.at > self.learn_after) and routine:
            device = after.id if after else None
            self.model.learn_silence(self.state.local(start), place, gap_s, device)
            on_mat = occupancy.holds_state(sensor.kind, sensor.role, obs.signal)
            if device is not None and device == rose_from and not on_mat:
                self.model.occupancy.learn_up(device, self.state.local(start).hour, gap_s)
        return decisions + self._clear(obs, sensor, gap_s)

    def _move(self, at: datetime, sensor: Sensor) -> None:
        st = self.state
        came_back = st.out_since is not None
        st.out_since = None
        place = sensor.place
        if place == Place.ENTRANCE:
            # A door after an absence is the resident coming in, not going out; so is the
            # door closing behind them a moment later, once they were seen inside.
            inside = st.last_sensor is not None and st.last_sensor.place != Place.ENTRANCE
            recent = st.arrived_at is not None and at - st.arrived_at < DOOR_PASSAGE
            closing = recent and inside
            st.returned = came_back or closing or (st.returned and st.place == Place.ENTRANCE)
            place = Place.HALL if st.returned else Place.ENTRANCE
            if came_back:
                st.arrived_at = at
        else:
            st.returned = False
        if place == Place.BATHROOM and (
            st.place != Place.BATHROOM or st.last_at is None or at - st.last_at >= BATH_PAUSE
        ):
            st.bath_since = at  # a new visit (a long quiet in there ended the last one)
        self._note_night_trip(at, place)
        if place in _DISTANT:
            self._note_visitors(at, place, sensor)
        st.place, st.last_at, st.last_sensor, st.expectation = place, at, sensor, None

    def _note_visitors(self, at: datetime, place: Place, sensor: Sensor) -> None:
        """Two distant rooms active at once, again and again, means two people. Not when the
        two rooms' sensors fire together on most days: in open-plan homes and at doorways
        their fields of view meet."""
        st = self.state
        together = [
            room
            for p, (t, room) in st.recent.items()
            if p != place and p in _DISTANT and at - t <= VISITOR_WINDOW
        ]
        if together:
            local = st.local(at)
            for room in together:
                self.model.note_overlap(sensor.room, room, local)
        if any(not self.model.overlap(sensor.room, room) for room in together):
            st.visitor_hits = [t for t in st.visitor_hits if at - t <= VISITOR_SPAN] + [at]
            if len(st.visitor_hits) >= VISITOR_HITS:
                st.visitors_until = at + VISITOR_HOLD
        st.recent[place] = (at, sensor.room)

    def _note_night_trip(self, at: datetime, place: Place) -> None:
        """Follow a night trip out of bed; teach the model whether its end was seen: back in
        the bedroom, or hours of silence elsewhere until she is up in the morning."""
        st = self.state
        was_up, st.night_up = st.night_up, self._night_up(at, place)
        if was_up and place == Place.BEDROOM:
            self.model.night_trips.add("back")
        elif was_up and not st.night_up and st.last_at is not None and at - st.last_at >= SLEEP:
            self.model.night_trips.add("unseen")
        st.night_watched = coverage.return_to_bed_seen(self.model, self.ctx.sees_bed)

    def _night_up(self, at: datetime, place: Place) -> bool:
        st = self.state
        if place == Place.BEDROOM or not is_night(st.local(at)):
            return False
        since = st.bedroom_since
        got_up = st.place == Place.BEDROOM and since is not None and at - since >= IN_BED
        return st.night_up or (got_up and place != Place.ENTRANCE)

    def _learn_habits(self, at: datetime, local: datetime, place: Place) -> None:
        st = self.state
        if st.place == Place.BATHROOM and place != Place.BATHROOM and st.bath_since:
            self.model.habits.learn_bath((at - st.bath_since).total_seconds())
        day = self._day(local)
        day.activity_events += 1
        if place == Place.KITCHEN and st.place != Place.KITCHEN:
            day.kitchen_visits += 1
        since = st.night_since
        leaving = st.place == Place.BEDROOM and place != Place.BEDROOM
        if leaving and since and at - since >= SLEEP:
            # A long stay in the bedroom: it began at bed time and ends at waking.
            began = _day_hour(st.local(since))
            if day.bed_h is None and (began >= 19 or st.local(since).date() != day.day):
                day.bed_h = began
            if 4 <= local.hour < 13:
                day.wake_h = _day_hour(local)
        if leaving:
            st.left_bedroom_at = at
        if place == Place.BEDROOM and st.place != Place.BEDROOM:
            st.bedroom_since = at
            left = st.left_bedroom_at
            if left is None or at - left > EXCURSION:
                st.night_since = at  # else a night trip and back: the same night goes on
            elif st.night_up and st.bath_since is not None and st.bath_since >= left:
                # Out of bed to the bathroom and back: the morning's first visit, on the
                # way to breakfast, is not one, however early she rises.
                day.night_bathroom_trips += 1
        up = place not in (Place.BEDROOM, Place.ENTRANCE) and st.out_since is None
        if up and local.hour >= 4 and st.woke_on != local.date():
            st.woke_on = local.date()

    def _day(self, local: datetime) -> DayStats:
        st = self.state
        today: date = (local - DAY_STARTS).date()
        if st.day is None or st.day.day != today:
            if st.day is not None:
                self.days = [*self.days[-120:], st.day]
                midnight = datetime.combine(st.day.day, time(0), tzinfo=st.zone)
                if st.day.wake_h is not None:
                    self.model.habits.learn_wake(midnight + timedelta(hours=st.day.wake_h))
                if st.day.bed_h is not None:
                    self.model.habits.learn_bed(midnight + timedelta(hours=st.day.bed_h))
            st.day = DayStats(today)
        return st.day

    def _clear(self, obs: Observation, sensor: Sensor, gap_s: float) -> list[Decision]:
        st = self.state
        local = clock(st.local(obs.at))
        details = {"room": str(sensor.room), "local_time": local}
        decisions: list[Decision] = []
        for kind in list(st.open):
            if kind == "bathroom" and sensor.place == Place.BATHROOM:
                continue  # still in the bathroom
            if kind == "not_up" and sensor.place == Place.BEDROOM:
                continue  # turning over in bed is not getting up
            if kind in INACTIVITY_KINDS:
                text = (
                    f"Movement again at {local} in {ROOM_NAMES[sensor.room]},"
                    f" after {duration(gap_s)} of quiet."
                )
            elif kind in ("not_back", "out_at_night"):
                text = f"Back home at {local}."
            elif kind == "no_meal" and sensor.place == Place.KITCHEN:
                text = f"Kitchen used at {local}."
            else:
                continue
            st.open.pop(kind)
            decisions.append(Clear(kind, obs.at, text, details))
        return decisions

    def next_deadline(self, horizon: datetime | None = None) -> datetime | None:
        """The earliest time a check could open a flag (None: nothing pending). With a
        `horizon`, any time beyond it may stand in for a later exact deadline."""
        deadline = rules.next_deadline(self.ctx, horizon)
        st = self.state
        if st.before_blip is not None and st.last_at is not None:
            settle_at = st.last_at + BLIP_CONFIRM
            deadline = settle_at if deadline is None else min(deadline, settle_at)
        return deadline

    def check(self, now: datetime, health: Health | None = None) -> list[Decision]:
        """Flags due at `now`; `health` is the home's device health when known."""
        decisions = self._settle(now)
        st = self.state
        if "monitoring_lost" in st.open and health is not None and not health.lost:
            st.open.pop("monitoring_lost")
            decisions.append(Clear("monitoring_lost", now, "Sensors are reporting again."))
        decisions += rules.due(self.ctx, now, health)
        return decisions

    def check_devices(self, now: datetime, health: Health) -> list[Decision]:
        """Sensor upkeep, not the resident: one silent sensor among live ones, low batteries."""
        return comfort.device_flags(self.ctx, now, health)

    def adopt_open(self, kind: str, at: datetime) -> None:
        """An incident of this kind was already open (e.g. before a restart)."""
        self.state.open.setdefault(kind, Flag(kind, "warning", at, "open before restart"))

    def feedback(self, kind: str, outcome: str, details: dict[str, Any]) -> None:
        """A person's verdict on an incident: a false alarm raises that slot's threshold."""
        started = details.get("last_activity_at")
        if outcome != "false_alarm" or kind not in INACTIVITY_KINDS or not started:
            return
        self.model.raise_slot(self.state.local(datetime.fromisoformat(str(started))))

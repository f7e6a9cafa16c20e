"""The opt-in daily "all is well" digest for family members.

Sent once per local day from `DIGEST_AT` (home-local time) for at most `LATEST_AFTER` (a
digest that late is old news; the next one will come), covering the 24 hours before it:
first activity, meals (kitchen activity at meal times), the night, outings (the entrance
door), anything unusual, and low device batteries. Sunday's digest also carries the weekly
slow-change summary (`analytics.trend`): lasting shifts in the daily routine over the weeks,
told here rather than as alarms. A contact's quiet hours hold it back until they end; they
never apply to incidents. "All is well" is said only with activity behind it: a home that
has sent nothing yet gets "no data yet", a day without activity "no activity seen".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import psycopg

from alerts.hours import parse_hours, within
from analytics import trend
from analytics.daily import DayStats
from analytics.times_of_day import MEALS, is_night_hour
from devices.clock import Clock
from devices.health import LOW_BATTERY_PCT
from storage import contacts, digests, events, homes, incidents, outbox, readings
from storage.digests import Activity
from storage.homes import Home
from storage.incidents import Incident

DIGEST_AT = time(20, 0)
LATEST_AFTER = timedelta(hours=14)
SAME_USE = timedelta(minutes=10)  # door events or bathroom visits closer than this are one
WEEKLY_ON = 6  # Sunday's digest carries the weekly slow-change summary
TREND_DAYS = 56  # the summary compares the last days with the weeks before, up to this far
NO_DATA = "No sensor data has reached Veille from this home yet: it cannot say how the day went."


def digest_day(local_now: datetime) -> date | None:
    """The day whose digest may be sent now, if any."""
    since = timedelta(hours=DIGEST_AT.hour, minutes=DIGEST_AT.minute)
    day = (local_now - since).date()
    return day if local_now < window(day, local_now.tzinfo)[1] + LATEST_AFTER else None


def window(day: date, tz: tzinfo | None) -> tuple[datetime, datetime]:
    end = datetime.combine(day, DIGEST_AT, tz)
    return end - timedelta(days=1), end


def summarize(
    activity: list[Activity],
    unusual: list[Incident],
    batteries: list[tuple[str, float]],
    day: date,
    tz: ZoneInfo,
    has_data: bool = True,
) -> list[str]:
    """The digest's lines (pure); `has_data`: the home ever sent an event."""
    unusual_lines = [
        f"Unusual: {i.kind.replace('_', ' ')} at {i.opened_at.astimezone(tz):%H:%M}"
        f" ({(i.outcome or i.state).replace('_', ' ')})"
        for i in unusual
    ]
    low = (
        ["Batteries low: " + ", ".join(f"{d} {p:.0f}%" for d, p in batteries)] if batteries else []
    )
    if not has_data:
        return [NO_DATA, *unusual_lines, *low]
    local = [(a.at.astimezone(tz), a) for a in activity]
    today = [(t, a) for t, a in local if t.date() == day and t.hour >= 5]
    lines = [f"First activity: {today[0][0]:%H:%M}" if today else "No activity seen this morning."]
    meals = [
        m
        for m, start, end in MEALS
        if any(a.room == "kitchen" and start <= t.hour < end for t, a in today)
    ]
    missing = [m for m, _, _ in MEALS if m not in meals]
    lines.append(
        f"Kitchen: {', '.join(meals) or 'no activity at meal times'}"
        + (f" (no sign of {', '.join(missing)})" if meals and missing else "")
    )
    night = [(t, a) for t, a in local if is_night_hour(t.hour)]
    bathroom = _uses([t for t, a in night if a.room in ("bathroom", "toilet")])
    lines.append(
        f"Night: {len(night)} movements, {bathroom} bathroom visit(s)" if night else "Night: calm"
    )
    doors = _uses([t for t, a in local if a.role == "entrance"])
    lines.append(f"Front door used {doors} time(s)" if doors else "Stayed in")
    return [*lines, *(unusual_lines or ["Nothing unusual."]), *low]


def _uses(times: list[datetime]) -> int:
    """Count bursts: events closer than SAME_USE to the previous one are the same use."""
    count, last = 0, None
    for t in times:
        if last is None or t - last > SAME_USE:
            count += 1
        last = t
    return count


@dataclass
class Digests:
    conn: psycopg.Connection[tuple[object, ...]]
    clock: Clock

    def run_once(self) -> int:
        """Write the digests now due; return how many."""
        now, written = self.clock.now(), 0
        for home in homes.list_homes(self.conn):
            tz = ZoneInfo(home.timezone)
            local_now = now.astimezone(tz)
            day = digest_day(local_now)
            if day is None:
                continue
            due = [
                c
                for c in contacts.list_contacts(self.conn, home.id, ("family",))
                if c.digest and not within(parse_hours(c.quiet_hours), local_now)
            ]
            summary: tuple[str, str] | None = None  # the same for every contact of the home
            for contact in due:
                with self.conn.transaction():
                    if not digests.claim_digest(self.conn, contact.id, day):
                        continue
                    summary = summary or self._summary(home, day, tz)
                    title, body = summary
                    message = outbox.NewMessage(
                        None, contact.id, "digest", contact.apprise_urls, title, body, "info"
                    )
                    for message_id in outbox.enqueue(self.conn, [message], now):
                        digests.record_digest_message(self.conn, contact.id, day, message_id)
                    written += 1
        return written

    def _summary(self, home: Home, day: date, tz: ZoneInfo) -> tuple[str, str]:
        """The digest's title and body for one home and day."""
        start, end = window(day, tz)
        unusual = [
            i
            for i in incidents.list_incidents(self.conn, home.id, limit=50)
            if start <= i.opened_at < end
        ]
        activity = digests.activity_between(self.conn, home.id, start, end)
        has_data = events.latest_event_at(self.conn, home.id) is not None
        lines = summarize(
            activity,
            unusual,
            digests.low_batteries(self.conn, home.id, LOW_BATTERY_PCT),
            day,
            tz,
            has_data,
        )
        if day.weekday() == WEEKLY_ON:
            since = day - timedelta(days=TREND_DAYS)
            days = [
                DayStats.from_features(row.day, row.features)
                for row in readings.list_daily_features(self.conn, home.id, since)
                if row.day <= day
            ]
            lines.append("Over the weeks: " + trend.weekly_summary(days))
        return f"{home.name or home.id}: {_verdict(unusual, activity, has_data)}", "\n".join(lines)


def _verdict(unusual: list[Incident], activity: list[Activity], has_data: bool) -> str:
    if unusual:
        return "daily summary"
    if not has_data:
        return "no data yet"
    return "all is well" if activity else "no activity seen"

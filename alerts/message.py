"""What each person is told: short texts with one-tap action links, in the home's local time.

Volunteers asked for a check-in see neither the address nor, unless the resident agreed,
why; the accepter alone is then sent the address and access instructions. A volunteer who
declined or was not chosen is told afterwards only that the request is no longer needed:
no name, no kind of alert, no details.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.policy import Audience
from alerts.token import action_url, make_action_token
from devices.clock import Clock, WallClock
from storage.contacts import Contact
from storage.incidents import Incident
from storage.outbox import NewMessage

NO_LONGER_NEEDED = "The request you received is no longer needed. Thank you for being there."
_NEUTRAL_TITLE = "Check-in request"


@dataclass(frozen=True, slots=True)
class Links:
    """Builds signed action links. Their expiry follows `clock`, the wall by default: links
    are tapped by people on real phones, even when escalation runs on a warped demo clock."""

    public_url: str
    secret_key: str
    ttl: timedelta = timedelta(hours=24)
    clock: Clock = field(default_factory=WallClock)

    def url(
        self, action: str, incident_id: int, contact_id: int, checkin_id: int | None = None
    ) -> str:
        token = make_action_token(
            self.secret_key,
            action,
            incident_id,
            contact_id,
            self.clock.now(),
            self.ttl,
            checkin_id,
        )
        return action_url(self.public_url, token)


@dataclass(frozen=True, slots=True)
class Context:
    """What every text about one incident needs."""

    incident: Incident
    home_name: str
    timezone: str
    links: Links
    now: datetime
    share_details: bool = True

    def for_role(self, role: str, shared: Sequence[str]) -> Context:
        """This context as someone in `role` may read it: details only if the resident
        shares them with that role (`home_care.share_details_with`)."""
        return replace(self, share_details=role in shared)

    def local(self, at: datetime) -> str:
        return at.astimezone(ZoneInfo(self.timezone)).strftime("%H:%M")

    @property
    def headline(self) -> str:
        # "raised at", not "since": an inactivity alert opens hours after the last movement,
        # and "inactivity (since 12:01)" read as if she had been still only since then.
        # The kind of alert says why: only for those the resident lets know why.
        what = self.incident.kind.replace("_", " ") if self.share_details else "alert"
        return f"{self.home_name}: {what}, raised at {self.local(self.incident.opened_at)}"


def alert(ctx: Context, contact: Contact, audience: Audience, reason: str = "") -> NewMessage:
    """The incident alert for family, care organisation or emergency contact."""
    i = ctx.incident
    lead = {
        Audience.FAMILY: "Please check on them, or tap 'I'm on it' so others know.",
        Audience.EVERYONE: f"Escalated to everyone: {reason}." if reason else "",
        Audience.REMINDER: "Still unresolved. Is someone on it?",
    }.get(audience, "")
    lines = [lead, i.explanation if ctx.share_details else ""]
    lines += [
        f"I'm on it: {ctx.links.url('claim', i.id, contact.id)}",
        f"Report how it went: {ctx.links.url('report', i.id, contact.id)}",
    ]
    return _message(
        ctx,
        contact,
        audience.value,
        ctx.headline,
        lines,
        "failure" if audience is not Audience.FAMILY else "warning",
    )


def checkin_request(ctx: Context, contact: Contact, checkin_id: int) -> NewMessage:
    i = ctx.incident
    lines = [
        "A neighbour you volunteer for may need a knock on the door.",
        i.explanation if ctx.share_details else "",
        "The first volunteer to accept gets the address and access instructions.",
        f"Accept: {ctx.links.url('accept', i.id, contact.id, checkin_id)}",
        f"Decline: {ctx.links.url('decline', i.id, contact.id, checkin_id)}",
    ]
    return _message(ctx, contact, "checkin_request", "Check-in request near you", lines)


def checkin_details(
    ctx: Context, contact: Contact, checkin_id: int, address: str, access: str
) -> NewMessage:
    i = ctx.incident
    visit = ctx.links.url("visit", i.id, contact.id, checkin_id)
    lines = [
        f"Thank you, the visit is yours. Address: {address or '(not recorded)'}",
        f"Access: {access}" if access else "",
        f"Your visit page, while the visit lasts: {visit}",
        f"Report how it went: {ctx.links.url('report', i.id, contact.id, checkin_id)}",
    ]
    return _message(ctx, contact, "checkin_details", f"Check-in: {ctx.home_name}", lines)


def notice(ctx: Context, contact: Contact, purpose: str, text: str) -> NewMessage:
    """A plain update: who handles it, that a check-in was taken, that it is resolved."""
    kind = "success" if purpose == "resolved" else "info"
    return _message(ctx, contact, purpose, ctx.headline, [text], kind)


def no_longer_needed(ctx: Context, contact: Contact, purpose: str) -> NewMessage:
    """To a volunteer who was asked but is not (or no longer) going: nothing about her."""
    return _message(ctx, contact, purpose, _NEUTRAL_TITLE, [NO_LONGER_NEEDED], "info")


def _message(
    ctx: Context,
    contact: Contact,
    purpose: str,
    title: str,
    lines: list[str],
    notify_type: str = "warning",
) -> NewMessage:
    return NewMessage(
        incident_id=ctx.incident.id,
        contact_id=contact.id,
        purpose=purpose,
        urls=list(contact.apprise_urls),
        title=title,
        body="\n".join(line for line in lines if line),
        notify_type=notify_type,
    )

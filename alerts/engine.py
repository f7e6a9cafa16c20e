"""The escalation engine: notices incidents, follows each one's policy, writes the outbox.

Every step runs in one transaction that locks the escalation (``SKIP LOCKED``), moves it
to its next stage and writes the messages and timeline entries of that step, so a crash
leaves either the whole step or none of it, and several engines never repeat a step.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import psycopg

from alerts import message
from alerts.message import Context, Links
from alerts.policy import Audience, Policy, Stage, Step, first_step, next_step, policy_from
from alerts.volunteer import ask_volunteers
from devices.clock import Clock
from storage import care, checkins, contacts, escalations, homes, incidents, lifecycle, outbox
from storage.contacts import Contact
from storage.outbox import NewMessage

Conn = psycopg.Connection[tuple[object, ...]]

_ROLES = {
    Audience.FAMILY: ("family",),
    Audience.EVERYONE: ("family", "care_org", "emergency"),
    Audience.REMINDER: ("family", "care_org", "emergency"),
}


class Engine:
    def __init__(
        self,
        conn: Conn,
        clock: Clock,
        links: Links,
        batch: int = 50,
        close_after: timedelta = timedelta(hours=24),
    ) -> None:
        self._conn = conn
        self._clock = clock
        self._links = links
        self._batch = batch
        self._close_after = close_after

    def run_once(self) -> int:
        """Start escalations for new incidents and fire due steps; return how many."""
        conn, now = self._conn, self._clock.now()
        done = 0
        with conn.transaction():
            for incident_id in escalations.take_new_incidents(conn, self._batch):
                ctx, policy = load(conn, self._links, incident_id, now)
                step = first_step(ctx.incident.kind, ctx.incident.severity, now, policy)
                escalations.start_escalation(conn, incident_id, step.stage, step.next_at, now)
                carry_out(conn, ctx, policy, step)
                done += 1
        with conn.transaction():
            for esc in escalations.take_due(conn, now, self._batch):
                ctx, policy = load(conn, self._links, esc.incident_id, now)
                state = ctx.incident.state
                carry_out(
                    conn, ctx, policy, next_step(Stage(esc.stage), state, esc.repeats, now, policy)
                )
                done += 1
        with conn.transaction():
            for incident_id in lifecycle.close_resolved(conn, now - self._close_after, now):
                escalations.add_timeline(conn, incident_id, now, "closed")
        return done


def load(conn: Conn, links: Links, incident_id: int, now: datetime) -> tuple[Context, Policy]:
    """An incident's message context and its home's policy."""
    incident = incidents.get_incident(conn, incident_id)
    if incident is None:
        raise LookupError(f"no incident {incident_id}")
    home = homes.get_home(conn, incident.home_id)
    settings = care.get_care(conn, incident.home_id)
    ctx = Context(
        incident=incident,
        home_name=(home.name if home and home.name else incident.home_id),
        timezone=home.timezone if home else "UTC",
        links=links,
        now=now,
    )
    return ctx, policy_from(settings.policy)


def carry_out(conn: Conn, ctx: Context, policy: Policy, step: Step) -> Step:
    """Tell the step's audiences and record its stage; with no volunteer to ask, go on to
    the next step at once. Call inside the transaction holding the escalation's lock."""
    incident = ctx.incident
    if step.reason:
        escalations.add_timeline(conn, incident.id, ctx.now, "escalated", step.reason)
    for audience in step.tell:
        told = tell(conn, ctx, policy, audience, step.reason)
        if audience is Audience.VOLUNTEERS and told == 0 and step.stage is Stage.VOLUNTEERS:
            escalations.add_timeline(conn, incident.id, ctx.now, "no_volunteer")
            step = next_step(step.stage, incident.state, step.repeats, ctx.now, policy)
            return carry_out(conn, ctx, policy, step)
    escalations.set_escalation(conn, incident.id, step.stage, step.next_at, ctx.now, step.repeats)
    return step


def tell(conn: Conn, ctx: Context, policy: Policy, audience: Audience, reason: str) -> int:
    """Write the messages for one audience; return how many people it reached."""
    incident = ctx.incident
    if audience is Audience.VOLUNTEERS:
        return ask_volunteers(conn, ctx, policy)
    if audience is Audience.RESOLVED:
        told = outbox.contacts_told(conn, incident.id)
        if incident.outcome == "emergency":  # everyone hears that help was called
            everyone = contacts.list_contacts(conn, incident.home_id, _ROLES[Audience.EVERYONE])
            told += [c.id for c in everyone if c.id not in told]
        people = [c for cid in told if (c := contacts.get_contact(conn, cid)) is not None]
        new = _resolutions(conn, ctx, people)
    else:
        shared = care.get_care(conn, incident.home_id).share_details_with
        people = contacts.list_contacts(conn, incident.home_id, _ROLES[audience])
        new = [message.alert(ctx.for_role(c.role, shared), c, audience, reason) for c in people]
    outbox.enqueue(conn, new, ctx.now)
    names = ", ".join(f"{c.name} ({c.role})" for c in people) or "nobody"
    escalations.add_timeline(conn, incident.id, ctx.now, f"told_{audience.value}", names)
    for c in people:
        if not c.apprise_urls:
            escalations.add_timeline(conn, incident.id, ctx.now, "no_channel", "", c.id)
    return len(people)


def _resolutions(conn: Conn, ctx: Context, people: list[Contact]) -> list[NewMessage]:
    """ "It is over", to each as their consent allows; a volunteer who did not go is told
    only that the request is no longer needed."""
    shared = care.get_care(conn, ctx.incident.home_id).share_details_with
    went = {c.accepted_by for c in checkins.list_checkins(conn, ctx.incident.id)}
    new = []
    for c in people:
        if c.role == "volunteer" and c.id not in went:
            new.append(message.no_longer_needed(ctx, c, "resolved"))
        else:
            told = ctx.for_role(c.role, shared)
            new.append(message.notice(told, c, "resolved", _resolution_text(conn, told)))
    return new


def _resolution_text(conn: Conn, ctx: Context) -> str:
    """Why it is over: the detector's sentence, else the first activity seen, else outcome;
    only the outcome for those not told why."""
    incident = ctx.incident
    said = incident.details.get("resolution")
    if ctx.share_details and isinstance(said, str) and said:
        return f"Resolved: {said}"
    if ctx.share_details and incident.outcome == "auto_resolved":
        seen = escalations.first_activity_after(conn, incident.home_id, incident.opened_at)
        if seen is not None:
            at, room = seen
            return f"Resolved: movement in the {room.replace('_', ' ')} at {ctx.local(at)}."
    outcome = (incident.outcome or "resolved").replace("_", " ")
    return f"Resolved ({outcome})."

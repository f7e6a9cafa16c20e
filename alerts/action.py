"""What a one-tap link does: describe it (the confirm page), then perform it.

Both return an `ActionView` for the API to render; neither renders HTML. Performing locks
the incident's escalation first, so actions on one incident happen one at a time, and the
messages an action causes are written in its transaction.

    GET  /a/{token}  -> verify_action_token, describe_action  -> page with its choices
    POST /a/{token}  -> verify_action_token, perform_action(choice=form value) -> page
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from alerts import engine, message
from alerts.message import Context, Links
from alerts.policy import Audience, Stage, Step, after_claim, next_step
from alerts.token import ActionToken
from storage import care, checkins, contacts, escalations, incidents, lifecycle, outbox
from storage.contacts import Contact

Conn = psycopg.Connection[tuple[object, ...]]

OUTCOMES = {
    "fine": "All is well",
    "false_alarm": "False alarm",
    "needed_help": "Needed help, now taken care of",
    "emergency": "Emergency services called",
    "needs_help": "Needs help: tell everyone",
    "no_answer": "No answer at the door: tell everyone",
}
ESCALATING = frozenset({"needs_help", "no_answer"})
_VOLUNTEER_OUTCOMES = ("fine", "needs_help", "no_answer", "emergency")
_FAMILY_OUTCOMES = ("fine", "false_alarm", "needed_help", "emergency", "needs_help")


@dataclass(frozen=True, slots=True)
class ActionView:
    title: str
    text: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label): one button each
    done: bool = False

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.choices)


def describe_action(conn: Conn, token: ActionToken, links: Links, now: datetime) -> ActionView:
    """The confirm page for a verified token; changes nothing."""
    ctx, person, closed = _situation(conn, token, links, now)
    if closed is not None:
        return closed
    if token.action == "claim":
        return ActionView(
            ctx.headline, "Let the others know you are on it?", (("yes", "I'm on it"),)
        )
    if token.action == "accept":
        return ActionView(
            "Check-in request", "Can you knock on the door now?", (("yes", "I'll go"),)
        )
    if token.action == "decline":
        return ActionView("Check-in request", "Decline this visit?", (("yes", "I can't go"),))
    allowed = _VOLUNTEER_OUTCOMES if person.role == "volunteer" else _FAMILY_OUTCOMES
    return ActionView(ctx.headline, "How did it go?", tuple((o, OUTCOMES[o]) for o in allowed))


def perform_action(
    conn: Conn, token: ActionToken, links: Links, now: datetime, choice: str = "yes"
) -> ActionView:
    """Do what the token allows, once; repeating a done action only shows where it stands."""
    with conn.transaction():
        esc = escalations.lock_escalation(conn, token.incident_id)
        ctx, person, closed = _situation(conn, token, links, now)
        if closed is not None or esc is None:
            return closed or ActionView("Not ready", "This incident is not being escalated.")
        act = {"claim": _claim, "accept": _accept, "decline": _decline, "report": _report}
        return act[token.action](conn, ctx, esc, person, token, choice)


def _situation(
    conn: Conn, token: ActionToken, links: Links, now: datetime
) -> tuple[Context, Contact, ActionView | None]:
    """The incident's context and the acting person, or a view saying it is over."""
    person = contacts.get_contact(conn, token.contact_id)
    if person is None:
        raise LookupError("unknown contact")
    ctx, _ = engine.load(conn, links, token.incident_id, now)
    if ctx.incident.home_id != person.home_id:
        raise LookupError("contact and incident belong to different homes")
    if ctx.incident.state not in ("open", "claimed", "checkin"):
        outcome = (ctx.incident.outcome or "resolved").replace("_", " ")
        return ctx, person, ActionView(ctx.headline, f"Already resolved ({outcome}). Thank you.")
    if token.checkin_id is not None:
        checkin = checkins.get_checkin(conn, token.checkin_id)
        if checkin is None or checkin.incident_id != token.incident_id:
            raise LookupError("check-in does not belong to this incident")
        if token.action != "report" and checkin.accepted_by not in (None, person.id):
            return ctx, person, ActionView("Check-in", "Someone else is going. Thank you!")
        if token.action == "accept" and checkin.accepted_by == person.id:
            return ctx, person, _visit_view(conn, ctx)
    return ctx, person, None


def _claim(
    conn: Conn, ctx: Context, esc: escalations.Escalation, person: Contact, _t: ActionToken, _c: str
) -> ActionView:
    incident, now = ctx.incident, ctx.now
    if not lifecycle.claim_incident(conn, incident.id, person.id, now):
        holder = lifecycle.claimed_by(conn, incident.id)
        who = contacts.get_contact(conn, holder) if holder else None
        text = (
            "You are on it."
            if holder == person.id
            else f"{who.name if who else 'Someone'} is on it."
        )
        return ActionView(ctx.headline, text)
    _, policy = engine.load(conn, ctx.links, incident.id, now)
    escalations.set_escalation(
        conn, incident.id, esc.stage, after_claim(now, policy), now, esc.repeats
    )
    escalations.add_timeline(conn, incident.id, now, "claimed", person.name, person.id)
    _tell_others(conn, ctx, person, "claimed", f"{person.name} is on it ({ctx.local(now)}).")
    return ActionView(ctx.headline, "Thank you: the others know you are on it.", done=True)


def _accept(
    conn: Conn,
    ctx: Context,
    esc: escalations.Escalation,
    person: Contact,
    token: ActionToken,
    _c: str,
) -> ActionView:
    incident, now = ctx.incident, ctx.now
    assert token.checkin_id is not None
    if not checkins.accept(conn, token.checkin_id, person.id, now):
        return ActionView("Check-in", "Someone else is going. Thank you!")
    lifecycle.start_checkin(conn, incident.id, now)
    _, policy = engine.load(conn, ctx.links, incident.id, now)
    report_by = now + timedelta(minutes=policy.checkin_timeout_min)
    escalations.set_escalation(conn, incident.id, Stage.VOLUNTEERS, report_by, now, esc.repeats)
    escalations.add_timeline(conn, incident.id, now, "accepted", person.name, person.id)
    settings = care.get_care(conn, incident.home_id)
    news = [
        message.checkin_details(
            ctx, person, token.checkin_id, settings.address, settings.access_notes
        )
    ]
    for offer in checkins.list_offers(conn, token.checkin_id):
        other = contacts.get_contact(conn, offer.contact_id)
        if offer.state == "taken" and other is not None:
            news.append(
                message.notice(ctx, other, "taken", "Another volunteer is going. Thank you!")
            )
    outbox.enqueue(conn, news, now)
    _tell_others(
        conn,
        ctx,
        person,
        "visiting",
        f"{person.name} (volunteer) is going to check.",
        roles=("family", "care_org", "emergency"),
    )
    return _visit_view(conn, ctx)


def _decline(
    conn: Conn,
    ctx: Context,
    esc: escalations.Escalation,
    person: Contact,
    token: ActionToken,
    _c: str,
) -> ActionView:
    assert token.checkin_id is not None
    if checkins.decline(conn, token.checkin_id, person.id, ctx.now):
        escalations.add_timeline(conn, ctx.incident.id, ctx.now, "declined", person.name, person.id)
        offers = checkins.list_offers(conn, token.checkin_id)
        if all(o.state == "declined" for o in offers):  # nobody left: escalate now
            escalations.set_escalation(
                conn, ctx.incident.id, esc.stage, ctx.now, ctx.now, esc.repeats
            )
    return ActionView("Check-in request", "Thank you for letting us know.", done=True)


def _report(
    conn: Conn,
    ctx: Context,
    esc: escalations.Escalation,
    person: Contact,
    token: ActionToken,
    choice: str,
) -> ActionView:
    if choice not in OUTCOMES:
        return ActionView(ctx.headline, "Please choose one of the answers.")
    incident, now = ctx.incident, ctx.now
    if token.checkin_id is not None:
        checkins.report(conn, token.checkin_id, person.id, now, choice)
    escalations.add_timeline(conn, incident.id, now, "reported", choice, person.id)
    _, policy = engine.load(conn, ctx.links, incident.id, now)
    if choice in ESCALATING:
        reason = f"{person.name} reported: {OUTCOMES[choice].split(':')[0].lower()}"
        step = Step(
            Stage.EVERYONE,
            now + timedelta(minutes=policy.reminder_min),
            (Audience.EVERYONE,),
            esc.repeats,
            reason,
        )
        engine.carry_out(conn, ctx, policy, step)
        return ActionView(ctx.headline, "Everyone has been told. Thank you.", done=True)
    incidents.resolve_incident_with(
        conn, incident.id, now, choice, f"{person.name} reported: {OUTCOMES[choice].lower()}."
    )
    resolved, _ = engine.load(conn, ctx.links, incident.id, now)
    engine.carry_out(
        conn, resolved, policy, next_step(Stage(esc.stage), "resolved", esc.repeats, now, policy)
    )
    return ActionView(ctx.headline, "Resolved. Everyone involved has been told.", done=True)


def _visit_view(conn: Conn, ctx: Context) -> ActionView:
    settings = care.get_care(conn, ctx.incident.home_id)
    access = f"\nAccess: {settings.access_notes}" if settings.access_notes else ""
    return ActionView(
        f"Check-in: {ctx.home_name}",
        f"The visit is yours. Address: {settings.address or '(not recorded)'}{access}",
        done=True,
    )


def _tell_others(
    conn: Conn,
    ctx: Context,
    actor: Contact,
    purpose: str,
    text: str,
    roles: tuple[str, ...] = ("family", "care_org", "emergency"),
) -> None:
    """Tell everyone already told about the incident (in `roles`) what `actor` did."""
    told = [contacts.get_contact(conn, cid) for cid in outbox.contacts_told(conn, ctx.incident.id)]
    others = [c for c in told if c is not None and c.id != actor.id and c.role in roles]
    outbox.enqueue(conn, [message.notice(ctx, c, purpose, text) for c in others], ctx.now)

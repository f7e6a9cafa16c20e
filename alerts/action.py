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
from alerts.policy import Audience, Policy, Stage, Step, after_claim, next_step
from alerts.token import ActionToken
from storage import care, checkins, contacts, escalations, incidents, lifecycle, outbox
from storage.contacts import Contact
from storage.escalations import Escalation

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
_TAKEN = "Someone else is going. Thank you!"


@dataclass(frozen=True, slots=True)
class ActionView:
    title: str
    text: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label): one button each
    done: bool = False

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.choices)


@dataclass(frozen=True, slots=True)
class _Act:
    conn: Conn
    ctx: Context
    policy: Policy
    person: Contact
    token: ActionToken

    @property
    def outcomes(self) -> tuple[str, ...]:
        return _VOLUNTEER_OUTCOMES if self.person.role == "volunteer" else _FAMILY_OUTCOMES


def describe_action(conn: Conn, token: ActionToken, links: Links, now: datetime) -> ActionView:
    """The confirm page for a verified token; changes nothing."""
    act, over = _situation(conn, token, links, now)
    if over is not None:
        return over
    headline, yes = act.ctx.headline, "yes"
    if token.action == "claim":
        return ActionView(headline, "Let the others know you are on it?", ((yes, "I'm on it"),))
    if token.action == "accept":
        return ActionView("Check-in request", "Can you go now?", ((yes, "I'll go"),))
    if token.action == "decline":
        return ActionView("Check-in request", "Decline this visit?", ((yes, "I can't go"),))
    return ActionView(headline, "How did it go?", tuple((o, OUTCOMES[o]) for o in act.outcomes))


def perform_action(
    conn: Conn, token: ActionToken, links: Links, now: datetime, choice: str = "yes"
) -> ActionView:
    """Do what the token allows, once; repeating a done action only shows where it stands."""
    with conn.transaction():
        esc = escalations.lock_escalation(conn, token.incident_id)
        act, over = _situation(conn, token, links, now)
        if over is not None:
            return over
        if esc is None:
            return ActionView(act.ctx.headline, "This incident is not being escalated.")
        handlers = {"claim": _claim, "accept": _accept, "decline": _decline, "report": _report}
        return handlers[token.action](act, esc, choice)


def _situation(
    conn: Conn, token: ActionToken, links: Links, now: datetime
) -> tuple[_Act, ActionView | None]:
    """Who acts on what, and a view saying it is over when there is nothing left to do."""
    person = contacts.get_contact(conn, token.contact_id)
    if person is None:
        raise LookupError("unknown contact")
    ctx, policy = engine.load(conn, links, token.incident_id, now)
    if ctx.incident.home_id != person.home_id:
        raise LookupError("contact and incident belong to different homes")
    act = _Act(conn, ctx, policy, person, token)
    if ctx.incident.state not in ("open", "claimed", "checkin"):
        outcome = (ctx.incident.outcome or "resolved").replace("_", " ")
        return act, ActionView(ctx.headline, f"Already resolved ({outcome}). Thank you.")
    if token.action in ("accept", "decline"):
        checkin = checkins.get_checkin(conn, token.checkin_id or 0)
        if checkin is None or checkin.incident_id != token.incident_id:
            raise LookupError("check-in does not belong to this incident")
        if checkin.accepted_by == person.id and token.action == "accept":
            return act, _visit_view(act, care.get_care(conn, ctx.incident.home_id))
        if checkin.accepted_by is not None:
            return act, ActionView("Check-in", _TAKEN)
    return act, None


def _claim(act: _Act, esc: Escalation, _choice: str) -> ActionView:
    conn, ctx, person = act.conn, act.ctx, act.person
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
    next_at = after_claim(now, act.policy, incident.kind, incident.severity)
    escalations.set_escalation(conn, incident.id, esc.stage, next_at, now, esc.repeats)
    escalations.add_timeline(conn, incident.id, now, "claimed", person.name, person.id)
    _tell_others(act, "claimed", f"{person.name} is on it ({ctx.local(now)}).")
    return ActionView(ctx.headline, "Thank you: the others know you are on it.", done=True)


def _accept(act: _Act, esc: Escalation, _choice: str) -> ActionView:
    conn, ctx, person, checkin_id = act.conn, act.ctx, act.person, act.token.checkin_id
    incident, now = ctx.incident, ctx.now
    assert checkin_id is not None  # checked by _situation
    if not checkins.accept(conn, checkin_id, person.id, now):
        return ActionView("Check-in", _TAKEN)
    lifecycle.start_checkin(conn, incident.id, now)
    report_by = now + timedelta(minutes=act.policy.checkin_timeout_min)
    escalations.set_escalation(conn, incident.id, Stage.VOLUNTEERS, report_by, now, esc.repeats)
    escalations.add_timeline(conn, incident.id, now, "accepted", person.name, person.id)
    settings = care.get_care(conn, incident.home_id)
    address, access = settings.address, settings.access_notes
    news = [message.checkin_details(ctx, person, checkin_id, address, access)]
    for offer in checkins.list_offers(conn, checkin_id):
        other = contacts.get_contact(conn, offer.contact_id)
        if offer.state == "taken" and other is not None:
            news.append(message.notice(ctx, other, "taken", "Another volunteer is going. Thanks!"))
    outbox.enqueue(conn, news, now)
    _tell_others(act, "visiting", f"{person.name} (volunteer) is going to check.")
    return _visit_view(act, settings)


def _decline(act: _Act, esc: Escalation, _choice: str) -> ActionView:
    conn, ctx, person, checkin_id = act.conn, act.ctx, act.person, act.token.checkin_id
    assert checkin_id is not None  # checked by _situation
    if checkins.decline(conn, checkin_id, person.id, ctx.now):
        escalations.add_timeline(conn, ctx.incident.id, ctx.now, "declined", person.name, person.id)
        if all(o.state == "declined" for o in checkins.list_offers(conn, checkin_id)):
            # Nobody left to go: take the next step now rather than at the timeout.
            escalations.set_escalation(
                conn, ctx.incident.id, esc.stage, ctx.now, ctx.now, esc.repeats
            )
    return ActionView("Check-in request", "Thank you for letting us know.", done=True)


def _report(act: _Act, esc: Escalation, choice: str) -> ActionView:
    conn, ctx, person, policy = act.conn, act.ctx, act.person, act.policy
    incident, now = ctx.incident, ctx.now
    if choice not in act.outcomes:
        return ActionView(ctx.headline, "Please choose one of the answers.")
    checkin_id = act.token.checkin_id
    if checkin_id is not None and not checkins.report(conn, checkin_id, person.id, now, choice):
        return ActionView(ctx.headline, "This visit was already reported. Thank you.")
    escalations.add_timeline(conn, incident.id, now, "reported", choice, person.id)
    said = OUTCOMES[choice].split(":")[0].lower()
    if choice in ESCALATING:
        reminder_at = now + timedelta(minutes=policy.reminder_min)
        reason = f"{person.name} reported: {said}"
        step = Step(Stage.EVERYONE, reminder_at, (Audience.EVERYONE,), esc.repeats, reason)
        engine.carry_out(conn, ctx, policy, step)
        return ActionView(ctx.headline, "Everyone has been told. Thank you.", done=True)
    incidents.resolve_incident_with(
        conn, incident.id, now, choice, f"{person.name} reported: {said}."
    )
    resolved, _ = engine.load(conn, ctx.links, incident.id, now)
    step = next_step(Stage(esc.stage), resolved.incident.state, esc.repeats, now, policy)
    engine.carry_out(conn, resolved, policy, step)
    return ActionView(ctx.headline, "Resolved. Everyone involved has been told.", done=True)


def _visit_view(act: _Act, settings: care.HomeCare) -> ActionView:
    access = f"\nAccess: {settings.access_notes}" if settings.access_notes else ""
    return ActionView(
        f"Check-in: {act.ctx.home_name}",
        f"The visit is yours. Address: {settings.address or '(not recorded)'}{access}",
        done=True,
    )


def _tell_others(act: _Act, purpose: str, text: str) -> None:
    """Tell the family, care organisation and emergency contact already told what happened."""
    conn, ctx = act.conn, act.ctx
    told = [contacts.get_contact(conn, cid) for cid in outbox.contacts_told(conn, ctx.incident.id)]
    others = [
        c
        for c in told
        if c is not None and c.id != act.person.id and c.role in ("family", "care_org", "emergency")
    ]
    outbox.enqueue(conn, [message.notice(ctx, c, purpose, text) for c in others], ctx.now)

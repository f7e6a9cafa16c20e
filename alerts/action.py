"""What a one-tap link does: describe it (the confirm page), then perform it.

Both return an `ActionView` for the API to render; neither renders HTML. Performing locks
the incident's escalation first, so actions on one incident happen one at a time, and the
messages an action causes are written in its transaction.

    GET  /a/{token}  -> verify_action_token, describe_action  -> page with its choices
    POST /a/{token}  -> verify_action_token, perform_action(choice=form value) -> page

Each link acts once (its use is recorded with the change it made); a replay is told it was
already done. A removed contact's links, and the links of a check-in that is over, stop
working (`LinkRevokedError`). The address and access notes are shown only in the answer to the
accepting volunteer's POST and on their own visit page while the visit lasts; a volunteer's
pages never name the resident or the alert beyond what the resident's consent allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg

from alerts import engine, message
from alerts.message import Context, Links
from alerts.policy import Audience, Policy, Stage, Step, after_claim, next_step
from alerts.token import ActionToken
from storage import (
    action_uses,
    care,
    checkins,
    contacts,
    escalations,
    incidents,
    lifecycle,
    outbox,
)
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
_YES = ("yes",)  # the one choice of a claim, accept or decline


class LinkRevokedError(LookupError):
    """The link was genuine but no longer works: its contact was removed, or its visit ended."""


class ChoiceError(ValueError):
    """The POST did not name one of the link's choices."""


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
    checkin: checkins.Checkin | None  # the visit the link is about, if any
    shared: list[str]  # roles the resident tells why (home_care.share_details_with)

    @property
    def outcomes(self) -> tuple[str, ...]:
        return _VOLUNTEER_OUTCOMES if self.person.role == "volunteer" else _FAMILY_OUTCOMES


def describe_action(conn: Conn, token: ActionToken, links: Links, now: datetime) -> ActionView:
    """The confirm page for a verified token; changes nothing."""
    act, over = _situation(conn, token, links, now)
    if over is not None:
        return over
    if token.action == "visit":
        return _visit_view(act, care.get_care(conn, act.ctx.incident.home_id))
    if token.action == "claim":
        return ActionView(
            _title(act), "Let the others know you are on it?", (("yes", "I'm on it"),)
        )
    if token.action == "accept":
        return ActionView("Check-in request", "Can you go now?", (("yes", "I'll go"),))
    if token.action == "decline":
        return ActionView("Check-in request", "Decline this visit?", (("yes", "I can't go"),))
    return ActionView(_title(act), "How did it go?", tuple((o, OUTCOMES[o]) for o in act.outcomes))


def perform_action(
    conn: Conn, token: ActionToken, links: Links, now: datetime, choice: str
) -> ActionView:
    """Do what the token allows, once; a used link changes nothing and sends nothing."""
    with conn.transaction():
        esc = escalations.lock_escalation(conn, token.incident_id)
        act, over = _situation(conn, token, links, now)
        if over is not None:
            return over
        allowed = act.outcomes if token.action == "report" else _YES
        if token.action == "visit" or choice not in allowed:
            raise ChoiceError("please choose one of the answers")
        if esc is None:
            return ActionView(_title(act), "This incident is not being escalated.")
        used_at = action_uses.record_use(
            conn, token.digest, token.incident_id, token.contact_id, token.action, now
        )
        if used_at is not None:
            text = f"Already done (this link was used at {act.ctx.local(used_at)}). Thank you."
            return ActionView(_title(act), text, done=True)
        handlers = {"claim": _claim, "accept": _accept, "decline": _decline, "report": _report}
        return handlers[token.action](act, esc, choice)


def _situation(
    conn: Conn, token: ActionToken, links: Links, now: datetime
) -> tuple[_Act, ActionView | None]:
    """Who acts on what, and a view saying it is over when there is nothing left to do."""
    person = contacts.get_contact(conn, token.contact_id)
    if person is None:
        raise LookupError("unknown contact")
    if not person.active:
        raise LinkRevokedError("this link no longer works")
    loaded, policy = engine.load(conn, links, token.incident_id, now)
    if loaded.incident.home_id != person.home_id:
        raise LookupError("contact and incident belong to different homes")
    shared = care.get_care(conn, person.home_id).share_details_with
    ctx = loaded.for_role(person.role, shared)  # what this person's pages may say
    if token.checkin_id is not None:
        checkin = _live_checkin(conn, token, person.id)
    elif token.action in ("accept", "decline", "visit"):
        raise LookupError("this link names no check-in")
    else:
        checkin = None
    act = _Act(conn, ctx, policy, person, token, checkin, shared)
    accepted_by = checkin.accepted_by if checkin is not None else None
    if ctx.incident.state not in ("open", "claimed", "checkin"):
        if _kept_apart(act):
            return act, ActionView(_title(act), message.NO_LONGER_NEEDED)
        outcome = (ctx.incident.outcome or "resolved").replace("_", " ")
        return act, ActionView(_title(act), f"Already resolved ({outcome}). Thank you.")
    if token.action == "accept" and accepted_by == person.id:
        return act, ActionView("Check-in", "The visit is yours: see your visit page.")
    if token.action in ("accept", "decline") and accepted_by is not None:
        return act, ActionView("Check-in", _TAKEN)
    return act, None


def _live_checkin(conn: Conn, token: ActionToken, contact_id: int) -> checkins.Checkin:
    """The link's check-in, refused when it is over: reported, or followed by a newer one."""
    visits = checkins.list_checkins(conn, token.incident_id)
    mine = [c for c in visits if c.id == token.checkin_id]
    if not mine:
        raise LookupError("check-in does not belong to this incident")
    assert token.checkin_id is not None
    if not any(o.contact_id == contact_id for o in checkins.list_offers(conn, token.checkin_id)):
        raise LookupError("this check-in was not offered to this contact")
    checkin = mine[0]
    if token.action == "report":
        return checkin  # its own replay is answered "already reported"
    if checkin.reported_at is not None or visits[-1].id != checkin.id:
        raise LinkRevokedError("this check-in is over")
    if token.action == "visit" and checkin.accepted_by != contact_id:
        raise LinkRevokedError("this visit is not yours")
    return checkin


def _kept_apart(act: _Act) -> bool:
    """A volunteer who did not get the visit: told nothing more about the resident."""
    accepted_by = act.checkin.accepted_by if act.checkin is not None else None
    return act.person.role == "volunteer" and accepted_by != act.person.id


def _title(act: _Act) -> str:
    return "Check-in request" if act.person.role == "volunteer" else act.ctx.headline


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
            news.append(message.no_longer_needed(ctx, other, "taken"))
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
    checkin_id = act.token.checkin_id
    if checkin_id is not None and not checkins.report(conn, checkin_id, person.id, now, choice):
        return ActionView(_title(act), "This visit was already reported. Thank you.")
    escalations.add_timeline(conn, incident.id, now, "reported", choice, person.id)
    said = OUTCOMES[choice].split(":")[0].lower()
    if choice in ESCALATING:
        reminder_at = now + timedelta(minutes=policy.reminder_min)
        reason = f"{person.name} reported: {said}"
        step = Step(Stage.EVERYONE, reminder_at, (Audience.EVERYONE,), esc.repeats, reason)
        engine.carry_out(conn, ctx, policy, step)
        return ActionView(_title(act), "Everyone has been told. Thank you.", done=True)
    incidents.resolve_incident_with(
        conn, incident.id, now, choice, f"{person.name} reported: {said}."
    )
    resolved, _ = engine.load(conn, ctx.links, incident.id, now)
    step = next_step(Stage(esc.stage), resolved.incident.state, esc.repeats, now, policy)
    engine.carry_out(conn, resolved, policy, step)
    return ActionView(_title(act), "Resolved. Everyone involved has been told.", done=True)


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
    news = [message.notice(ctx.for_role(c.role, act.shared), c, purpose, text) for c in others]
    outbox.enqueue(conn, news, ctx.now)

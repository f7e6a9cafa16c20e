"""One-tap action links: a small page that confirms, then does what the signed token allows.

No login: the token is signed, single-purpose and expiring. GET only shows the choice (so a
link preview cannot act); POST acts.
"""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from alerts.action import ActionView, describe_action, perform_action
from alerts.message import Links
from alerts.token import TokenError, verify_action_token
from analytics.clock import Clock
from api.authz import Public
from api.deps import Db

# No account: the signed token is the authority.
router = APIRouter(tags=["actions"], dependencies=[Depends(Public())])


def _links(request: Request) -> Links:
    links: Links = request.app.state.links
    return links


def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


LinksDep = Annotated[Links, Depends(_links)]
ClockDep = Annotated[Clock, Depends(_clock)]


@router.get("/a/{token}", response_class=HTMLResponse)
def show_action(token: str, db: Db, links: LinksDep, clock: ClockDep) -> HTMLResponse:
    try:
        verified = verify_action_token(links.secret_key, token, links.clock.now())
        view = describe_action(db, verified, links, clock.now())
    except (TokenError, LookupError) as exc:
        return _page(ActionView("Link not usable", str(exc)), token, status=400)
    return _page(view, token)


@router.post("/a/{token}", response_class=HTMLResponse)
async def do_action(
    token: str, request: Request, db: Db, links: LinksDep, clock: ClockDep
) -> HTMLResponse:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    choice = (form.get("choice") or ["yes"])[0]
    try:
        verified = verify_action_token(links.secret_key, token, links.clock.now())
        view = perform_action(db, verified, links, clock.now(), choice)
    except (TokenError, LookupError, KeyError) as exc:
        return _page(ActionView("Link not usable", str(exc)), token, status=400)
    return _page(view, token)


def _page(view: ActionView, token: str, status: int = 200) -> HTMLResponse:
    buttons = "".join(
        f'<button name="choice" value="{html.escape(value)}">{html.escape(label)}</button>'
        for value, label in view.choices
    )
    form = (
        f'<form method="post" action="/a/{html.escape(token)}">{buttons}</form>' if buttons else ""
    )
    body = (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(view.title)}</title>"
        "<style>body{font:1.1rem system-ui;margin:1.5rem;max-width:32rem}"
        "button{display:block;width:100%;font-size:1.2rem;padding:.9rem;margin:.6rem 0}</style>"
        f"<h1>{html.escape(view.title)}</h1><p>{html.escape(view.text)}</p>{form}</html>"
    )
    return HTMLResponse(body, status_code=status)

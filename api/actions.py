"""One-tap action links: a small page that confirms, then does what the signed token allows.

No login: the token is signed, single-purpose and expiring. GET only shows the choice (so a
link preview cannot act); POST acts, once, and only with an explicit `choice` from a page of
ours: a cross-site Origin is refused. Pages are never cached and send no Referer, so the
token in their address goes nowhere else.
"""

from __future__ import annotations

import html
from typing import Annotated
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from alerts.action import ActionView, ChoiceError, LinkRevokedError, describe_action, perform_action
from alerts.message import Links
from alerts.token import TokenError, verify_action_token
from api.authz import Public
from api.deps import Db
from devices.clock import Clock

# No account: the signed token is the authority.
router = APIRouter(tags=["actions"], dependencies=[Depends(Public())])

MAX_FORM_BYTES = 1024  # a form holds one short `choice`
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NO_TRACE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


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
    except LinkRevokedError as exc:
        return _page(ActionView("Link not usable", str(exc)), token, status=410)
    except (TokenError, LookupError) as exc:
        return _page(ActionView("Link not usable", str(exc)), token, status=400)
    return _page(view, token)


@router.post("/a/{token}", response_class=HTMLResponse)
async def do_action(
    token: str, request: Request, db: Db, links: LinksDep, clock: ClockDep
) -> HTMLResponse:
    if not _same_origin(request.headers.get("origin"), links.public_url):
        return _page(ActionView("Link not usable", "request from another site"), token, 403)
    body = await _small_body(request)
    choices = _form(body).get("choice", []) if body is not None else []
    if len(choices) != 1:
        return _page(ActionView("Link not usable", "choose one of the answers"), token, 400)
    try:
        verified = verify_action_token(links.secret_key, token, links.clock.now())
        view = perform_action(db, verified, links, clock.now(), choices[0])
    except LinkRevokedError as exc:
        return _page(ActionView("Link not usable", str(exc)), token, status=410)
    except (TokenError, LookupError, ChoiceError) as exc:
        return _page(ActionView("Link not usable", str(exc)), token, status=400)
    return _page(view, token)


async def _small_body(request: Request) -> bytes | None:
    """The body, or None once it passes MAX_FORM_BYTES (read no further than that)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    return body


def _form(body: bytes) -> dict[str, list[str]]:
    try:
        return parse_qs(body.decode("utf-8"), strict_parsing=bool(body), max_num_fields=4)
    except ValueError:  # bad encoding, a malformed or oversized form
        return {}


def _same_origin(origin: str | None, public_url: str) -> bool:
    """No Origin header (an old browser, a phone's link opener): allowed, the token is the
    credential. Present, it must be ours: a page elsewhere cannot make a phone act."""
    if origin is None:
        return True
    return _origin(origin) == _origin(public_url) != ""


def _origin(url: str) -> str:
    """scheme://host[:port], lower case, the default port left out ("null" gives "")."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        return ""
    if not parts.scheme or not parts.hostname:
        return ""
    shown = "" if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()) else f":{port}"
    return f"{parts.scheme.lower()}://{parts.hostname}{shown}"


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
    return HTMLResponse(body, status_code=status, headers=_NO_TRACE)

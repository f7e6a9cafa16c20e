"""Signing in and out, one-time sign-in links, invitations and bearer tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from pydantic import BaseModel, Field

from alerts.vault import Vault
from api import accounts as account_ops
from api.authz import (
    SESSION_COOKIE,
    Access,
    HomeId,
    OnHome,
    Principal,
    Public,
    SignedIn,
    check_origin,
    clock_of,
)
from api.credentials import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    digest,
    hash_password,
    new_secret,
    verify_password,
)
from api.deps import Db
from storage import accounts, outbox

router = APIRouter(prefix="/auth", tags=["auth"])

SESSION_TTL = timedelta(hours=12)
MAGIC_LINK_TTL = timedelta(minutes=15)
INVITATION_TTL = timedelta(days=7)
FAILURE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5  # then wait: a password cannot be guessed 5 at a time
MAX_FAILURES_PER_ADDRESS = 30  # a family's shared connection mistypes, a script far more
MAX_MAGIC_LINKS_PER_ACCOUNT = 5  # per window: the channel is not ours to flood

Token = Annotated[str, Path(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]
Email = Annotated[str, Field(max_length=254, pattern=r"^[^@\s\x00]{1,64}@[^@\s\x00]{1,189}$")]
Password = Annotated[str, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)]


class LoginIn(BaseModel):
    email: Email
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class MagicLinkIn(BaseModel):
    email: Email


class AcceptIn(BaseModel):
    password: Password


class InvitationIn(BaseModel):
    email: Email
    role: Literal["family", "family_manager", "resident", "volunteer"]
    display_name: str = Field(default="", max_length=200, pattern=r"^[^\x00]*$")
    language: Literal["fr", "en"] = "fr"


class TokenIn(BaseModel):
    name: str = Field(default="", max_length=100, pattern=r"^[^\x00]*$")
    scope: Literal[tuple(account_ops.ROLES)] | None = None  # type: ignore[valid-type]


def _me(db: Db, principal: Principal) -> dict[str, Any]:
    user = principal.user
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "administrator": principal.administrator,
        "organisation": principal.organisation,
        "homes": [{"home_id": h, "role": r} for h, r in sorted(principal.homes.items())],
        "csrf_token": principal.csrf_token,
    }


def _start_session(request: Request, response: Response, db: Db, user_id: int) -> dict[str, Any]:
    now = clock_of(request).now()
    session_id, csrf = new_secret(), new_secret()
    accounts.add_session(db, digest(session_id), user_id, csrf, now, SESSION_TTL)
    response.set_cookie(
        SESSION_COOKIE,
        session_id,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.app.state.links.public_url.startswith("https://"),
        path="/",
    )
    user = accounts.user_by_id(db, user_id)
    assert user is not None
    homes = {m.home_id: m.role for m in accounts.memberships(db, user_id)}
    return _me(db, Principal(user, user.administrator, user.organisation, homes, csrf))


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", dependencies=[Depends(Public())])
def login(body: LoginIn, request: Request, response: Response, db: Db) -> dict[str, Any]:
    check_origin(request)  # no signing in a visitor to our site from another one
    now = clock_of(request).now()
    email = body.email.lower()
    keys = {"email:" + email: MAX_FAILURES_PER_ACCOUNT}
    keys["addr:" + _client_address(request)] = MAX_FAILURES_PER_ADDRESS
    for key, limit in keys.items():
        if accounts.count_failures(db, key, now - FAILURE_WINDOW) >= limit:
            raise HTTPException(429, "too many failed log-ins; try again later")
    user = accounts.user_by_email(db, email)
    hashed = accounts.password_hash(db, user.id) if user else None
    if user is None or not verify_password(hashed, body.password):
        accounts.add_failures(db, list(keys), now)
        accounts.forget_failures_before(db, now - FAILURE_WINDOW)  # the table stays small
        raise HTTPException(401, "wrong e-mail or password")
    accounts.clear_failures(db, "email:" + email)
    return _start_session(request, response, db, user.id)


@router.post("/logout", status_code=204)
def logout(
    request: Request, response: Response, db: Db, _: Annotated[Principal, Depends(SignedIn())]
) -> None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.revoke_session(db, digest(cookie), clock_of(request).now())
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me")
def me(db: Db, principal: Annotated[Principal, Depends(SignedIn())]) -> dict[str, Any]:
    return _me(db, principal)


@router.post("/magic-link", status_code=202, dependencies=[Depends(Public())])
def magic_link(body: MagicLinkIn, request: Request, db: Db) -> dict[str, str]:
    """Send a one-time sign-in link to the account's own channel. The answer is the same
    whether or not the account exists, so it does not tell who has one."""
    now = clock_of(request).now()
    email = body.email.lower()
    user = accounts.user_by_email(db, email)
    key = "magic:" + email
    sent = accounts.count_failures(db, key, now - FAILURE_WINDOW)
    vault: Vault | None = request.app.state.vault  # outbox URLs are sealed (0056)
    if (
        user is not None
        and user.apprise_url
        and vault is not None
        and sent < MAX_MAGIC_LINKS_PER_ACCOUNT
    ):
        accounts.add_failures(db, [key], now)  # counted as a failure: the same window
        secret = new_secret()
        accounts.add_link(db, digest(secret), user.id, "magic", now, MAGIC_LINK_TTL)
        url = f"{request.app.state.links.public_url.rstrip('/')}/auth/magic/{secret}"
        text = _SIGN_IN_TEXT[user.language].format(url=url, minutes=_minutes(MAGIC_LINK_TTL))
        message = outbox.NewMessage(
            None,
            None,
            "sign_in",
            [vault.seal(user.apprise_url)],
            "Veille",
            text,
            notify_type="info",
        )
        outbox.enqueue(db, [message], now)
    return {"status": "if the account exists, a sign-in link is on its way"}


_SIGN_IN_TEXT = {
    "fr": "Pour vous connecter à Veille, ouvrez ce lien (valable {minutes} min, une fois) : {url}",
    "en": "To sign in to Veille, open this link (valid {minutes} min, once): {url}",
}


def _minutes(ttl: timedelta) -> int:
    return int(ttl.total_seconds() // 60)


@router.post("/magic/{token}", dependencies=[Depends(Public())])
def use_magic_link(token: Token, request: Request, response: Response, db: Db) -> dict[str, Any]:
    check_origin(request)
    user_id = accounts.use_link(db, digest(token), "magic", clock_of(request).now())
    if user_id is None:
        raise HTTPException(400, "this sign-in link is used, expired or not ours")
    return _start_session(request, response, db, user_id)


@router.post("/invitations/{token}/accept", dependencies=[Depends(Public())])
def accept_invitation(
    token: Token, body: AcceptIn, request: Request, response: Response, db: Db
) -> dict[str, Any]:
    check_origin(request)
    with db.transaction():
        user_id = accounts.use_link(db, digest(token), "invitation", clock_of(request).now())
        if user_id is None:
            raise HTTPException(400, "this invitation is used, expired or not ours")
        accounts.set_password_hash(db, user_id, hash_password(body.password))
    return _start_session(request, response, db, user_id)


@router.get("/tokens")
def list_tokens(db: Db, principal: Annotated[Principal, Depends(SignedIn())]) -> list[Any]:
    return [
        {
            "id": t.id,
            "name": t.name,
            "scope": t.scope,
            "created_at": t.created_at,
            "revoked_at": t.revoked_at,
        }
        for t in accounts.list_tokens(db, principal.user.id)
    ]


@router.post("/tokens", status_code=201)
def create_token(
    body: TokenIn, request: Request, db: Db, principal: Annotated[Principal, Depends(SignedIn())]
) -> dict[str, Any]:
    """A new bearer token, shown this once: only its hash is kept."""
    try:
        token_id, secret = account_ops.issue_token(
            db, principal.user, clock_of(request).now(), body.scope, body.name
        )
    except account_ops.AccountError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"id": token_id, "token": secret}


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(
    token_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    request: Request,
    db: Db,
    principal: Annotated[Principal, Depends(SignedIn())],
) -> None:
    if not accounts.revoke_token(db, principal.user.id, token_id, clock_of(request).now()):
        raise HTTPException(404, f"no live token {token_id} of yours")


homes_router = APIRouter(tags=["auth"])


@homes_router.post("/homes/{home_id}/invitations", status_code=201)
def invite(
    home_id: HomeId,
    body: InvitationIn,
    request: Request,
    db: Db,
    _: Annotated[Principal, Depends(OnHome(Access.INVITE))],
) -> dict[str, Any]:
    """Bring someone into the home. A new account gets a one-time link (returned once, for
    the inviter to pass on) to set a password; an existing one just gains the membership."""
    email = body.email.lower()
    with db.transaction():
        existing = accounts.user_by_email(db, email)
        if existing is not None:
            accounts.set_membership(db, existing.id, home_id, body.role)
            return {"user_id": existing.id, "invitation_url": None}
        user_id = account_ops.add_user(
            db,
            email,
            body.role,
            home_id=home_id,
            display_name=body.display_name,
            language=body.language,
        )
        secret = new_secret()
        accounts.add_link(
            db, digest(secret), user_id, "invitation", clock_of(request).now(), INVITATION_TTL
        )
    url = f"{request.app.state.links.public_url.rstrip('/')}/auth/invitations/{secret}/accept"
    return {"user_id": user_id, "invitation_url": url}

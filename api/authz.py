"""Who is calling, and what each route lets them do.

Every route declares a `Policy` as a dependency (a test walks ``app.routes`` and fails on a
route without one). Home and incident policies check the specific home: a home the caller
cannot see answers 404, as a missing one does, so ids cannot be probed; one they can see
but not change answers 403. Authorised access to a home is written to the audit log.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import HTTPException, Path, Query, Request

from api.credentials import digest
from api.deps import Db
from devices.clock import Clock
from storage import accounts, audit, incidents

SESSION_COOKIE = "veille_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ID_PATTERN = r"^[A-Za-z0-9_.-]{1,64}$"  # as the homes and devices tables check
MAX_BIGINT = 2**63 - 1

HomeId = Annotated[str, Path(pattern=ID_PATTERN, max_length=64)]
HomeIdQuery = Annotated[str | None, Query(pattern=ID_PATTERN, max_length=64)]
IncidentId = Annotated[int, Path(ge=1, le=MAX_BIGINT)]


class Access(StrEnum):
    STATUS = "status"  # the home, its devices, incidents and contacts
    MANAGE = "manage"  # contacts, devices, away periods, escalation policy, address
    CONSENT = "consent"  # what the resident agreed to share
    INVITE = "invite"  # bring someone into the home
    AUDIT = "audit"  # read who viewed or changed what


_MEMBER_GRANTS: dict[str, frozenset[Access]] = {
    "family": frozenset({Access.STATUS}),
    "family_manager": frozenset(Access),
    "resident": frozenset({Access.STATUS, Access.CONSENT}),
    "volunteer": frozenset(),  # only the check-in requests sent to them, by signed link
}
_CARE_STAFF_GRANTS = frozenset({Access.STATUS, Access.MANAGE, Access.CONSENT})


@dataclass(frozen=True, slots=True)
class Principal:
    user: accounts.User
    administrator: bool
    organisation: str | None  # care staff of this organisation
    homes: dict[str, str] = field(default_factory=dict)  # home id -> membership role
    csrf_token: str | None = None  # set when signed in by session cookie

    def grants(self, home_organisation: str | None, home_id: str) -> frozenset[Access]:
        if self.administrator:
            return frozenset(Access)
        granted = _MEMBER_GRANTS.get(self.homes.get(home_id, ""), frozenset())
        if self.organisation is not None and home_organisation == self.organisation:
            granted |= _CARE_STAFF_GRANTS
        return granted

    @property
    def may_vet(self) -> bool:
        return self.administrator or self.organisation is not None


def clock_of(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def _principal_for(
    db: accounts.Conn, user_id: int, scope: str | None, csrf: str | None
) -> Principal | None:
    user = accounts.user_by_id(db, user_id)
    if user is None:
        return None
    homes = {m.home_id: m.role for m in accounts.memberships(db, user_id)}
    if scope is None:  # a session acts with everything the user holds
        return Principal(user, user.administrator, user.organisation, homes, csrf)
    # A bearer token acts only as the role it was scoped to.
    return Principal(
        user,
        user.administrator and scope == "administrator",
        user.organisation if scope == "care_staff" else None,
        {h: r for h, r in homes.items() if r == scope},
    )


def caller(request: Request, db: Db) -> Principal | None:
    """The signed-in caller, None when anonymous. A bad bearer token is a 401, not anonymous."""
    authorization = request.headers.get("authorization", "")
    if authorization:
        kind, _, secret = authorization.partition(" ")
        found = (
            accounts.token_user(db, digest(secret.strip())) if kind.lower() == "bearer" else None
        )
        principal = None if found is None else _principal_for(db, found[0], found[1], None)
        if principal is None:
            raise HTTPException(401, "bearer token not valid", {"WWW-Authenticate": "Bearer"})
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    session = accounts.session_user(db, digest(cookie), clock_of(request).now())
    if session is None:
        return None
    principal = _principal_for(db, session[0], None, session[1])
    if principal is not None and request.method not in SAFE_METHODS:
        _check_csrf(request, session[1])
    return principal


def _check_csrf(request: Request, expected: str) -> None:
    """A cookie is sent by the browser whoever made the page: a state-changing request must
    also carry the session's CSRF token, and come from our own origin when it says."""
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header")
    check_origin(request)


def check_origin(request: Request) -> None:
    """Browsers say where a request comes from: refuse another site's forms and scripts."""
    origin = request.headers.get("origin")
    if origin is not None and origin != _origin(request.app.state.links.public_url):
        raise HTTPException(403, "request from another origin")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _signed_in(request: Request, db: Db) -> Principal:
    principal = caller(request, db)
    if principal is None:
        raise HTTPException(401, "sign in first", {"WWW-Authenticate": "Bearer"})
    return principal


def _audit(request: Request, db: Db, principal: Principal, home_id: str) -> None:
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    audit.record(
        db,
        clock_of(request).now(),
        principal.user.id,
        principal.user.email,
        home_id,
        f"{request.method} {template}",
        request.url.path[:300],
    )


class Policy:
    """Base of every route's declared policy; `rule` says who may call, for the docs."""

    rule = ""


class Public(Policy):
    rule = "anyone"

    def __call__(self) -> None:
        return None


class SignedIn(Policy):
    rule = "any signed-in user"

    def __call__(self, request: Request, db: Db) -> Principal:
        return _signed_in(request, db)


class Administrator(Policy):
    rule = "administrators"

    def __call__(self, request: Request, db: Db) -> Principal:
        principal = _signed_in(request, db)
        if not principal.administrator:
            raise HTTPException(403, "administrators only")
        return principal


class OnHome(Policy):
    """Needs `access` to the home in the path. With `create`, administrators and care staff
    may also name a home that does not exist yet."""

    def __init__(self, access: Access, *, create: bool = False) -> None:
        self.access = access
        self.create = create
        self.rule = f"{access} on the home"

    def __call__(self, home_id: HomeId, request: Request, db: Db) -> Principal:
        principal = _signed_in(request, db)
        exists, organisation = accounts.home_organisation(db, home_id)
        if not exists:
            if self.create and principal.may_vet:
                return principal
            raise HTTPException(404, f"no home {home_id!r}")
        authorise(principal, organisation, home_id, self.access)
        _audit(request, db, principal, home_id)
        return principal


class OnIncident(Policy):
    def __init__(self, access: Access) -> None:
        self.access = access
        self.rule = f"{access} on the incident's home"

    def __call__(self, incident_id: IncidentId, request: Request, db: Db) -> Principal:
        principal = _signed_in(request, db)
        found = incidents.get_incident(db, incident_id)
        if found is None:
            raise HTTPException(404, f"no incident {incident_id}")
        _, organisation = accounts.home_organisation(db, found.home_id)
        try:
            authorise(principal, organisation, found.home_id, self.access)
        except HTTPException as exc:
            if exc.status_code == 404:
                raise HTTPException(404, f"no incident {incident_id}") from None
            raise
        _audit(request, db, principal, found.home_id)
        return principal


def authorise(principal: Principal, organisation: str | None, home_id: str, need: Access) -> None:
    granted = principal.grants(organisation, home_id)
    if Access.STATUS not in granted and need not in granted:
        raise HTTPException(404, f"no home {home_id!r}")
    if need not in granted:
        raise HTTPException(403, f"you may not {need} this home")


def visible_homes(db: accounts.Conn, principal: Principal) -> list[str] | None:
    """The homes the caller may see; None: all of them (administrators)."""
    if principal.administrator:
        return None
    seen = {h for h, role in principal.homes.items() if Access.STATUS in _MEMBER_GRANTS[role]}
    if principal.organisation is not None:
        seen |= set(accounts.organisation_homes(db, principal.organisation))
    return sorted(seen)


def record_read(request: Request, db: Db, principal: Principal, home_id: str) -> None:
    """Audit a read of a home's data from a route that lists several homes."""
    _audit(request, db, principal, home_id)

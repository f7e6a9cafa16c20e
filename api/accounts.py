"""Account operations shared by the API routes and the ``veille users`` command."""

from __future__ import annotations

from datetime import datetime

from api.credentials import BEARER_PREFIX, digest, hash_password, new_secret
from storage import accounts

Conn = accounts.Conn

INSTANCE_ROLES = ("administrator", "care_staff")
ROLES = (*INSTANCE_ROLES, *accounts.HOME_ROLES)


class AccountError(ValueError):
    pass


def add_user(
    conn: Conn,
    email: str,
    role: str,
    *,
    home_id: str | None = None,
    organisation: str | None = None,
    password: str | None = None,
    display_name: str = "",
    language: str = "fr",
    apprise_url: str = "",
) -> int:
    """Create an account with one role: an instance role, or a role in `home_id`."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if role in accounts.HOME_ROLES and not home_id:
        raise AccountError(f"a {role} belongs to a home: give one")
    if role == "care_staff" and not organisation:
        raise AccountError("care staff belong to an organisation: give one")
    with conn.transaction():
        user_id = accounts.add_user(
            conn,
            email.strip().lower(),
            display_name=display_name,
            language=language,
            administrator=role == "administrator",
            organisation=organisation if role == "care_staff" else None,
            apprise_url=apprise_url,
            password_hash=hash_password(password) if password else None,
        )
        if role in accounts.HOME_ROLES and home_id:
            accounts.set_membership(conn, user_id, home_id, role)
    return user_id


def roles_of(conn: Conn, user: accounts.User) -> list[str]:
    """The roles a user holds, strongest first: what a bearer token may be scoped to."""
    held = [r for r in INSTANCE_ROLES if _holds_instance(user, r)]
    held += sorted({m.role for m in accounts.memberships(conn, user.id)}, key=ROLES.index)
    return held


def _holds_instance(user: accounts.User, role: str) -> bool:
    return user.administrator if role == "administrator" else user.organisation is not None


def issue_token(
    conn: Conn, user: accounts.User, now: datetime, scope: str | None = None, name: str = ""
) -> tuple[int, str]:
    """A new bearer token (id, secret), acting only as `scope`. The secret is not kept."""
    held = roles_of(conn, user)
    if not held:
        raise AccountError(f"{user.email} holds no role to scope a token to")
    chosen = scope or held[0]
    if chosen not in held:
        raise AccountError(f"{user.email} does not hold the role {chosen!r}")
    secret = new_secret(BEARER_PREFIX)
    return accounts.add_token(conn, user.id, digest(secret), chosen, name, now), secret

"""Accounts: users, their memberships of homes, sessions, bearer tokens, sign-in links and
failed log-ins. Secrets arrive here already hashed; nothing here can sign anyone in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]

HOME_ROLES = ("family", "family_manager", "resident", "volunteer")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    display_name: str
    language: str
    administrator: bool
    organisation: str | None
    apprise_url: str


@dataclass(frozen=True, slots=True)
class Membership:
    home_id: str
    role: str


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    name: str
    scope: str
    created_at: datetime
    revoked_at: datetime | None


_USER_COLUMNS = "id, email, display_name, language, administrator, organisation, apprise_url"


def add_user(
    conn: Conn,
    email: str,
    *,
    display_name: str = "",
    language: str = "fr",
    administrator: bool = False,
    organisation: str | None = None,
    apprise_url: str = "",
    password_hash: str | None = None,
) -> int:
    row = conn.execute(
        "INSERT INTO users (email, display_name, language, administrator, organisation,"
        " apprise_url, password_hash) VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
        (email, display_name, language, administrator, organisation, apprise_url, password_hash),
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


def _one_user(conn: Conn, where: str, value: object) -> User | None:
    with conn.cursor(row_factory=class_row(User)) as cur:
        return cur.execute(f"SELECT {_USER_COLUMNS} FROM users WHERE {where}", (value,)).fetchone()


def user_by_email(conn: Conn, email: str) -> User | None:
    return _one_user(conn, "email = %s", email)


def user_by_id(conn: Conn, user_id: int) -> User | None:
    return _one_user(conn, "id = %s", user_id)


def list_users(conn: Conn) -> list[User]:
    with conn.cursor(row_factory=class_row(User)) as cur:
        return cur.execute(f"SELECT {_USER_COLUMNS} FROM users ORDER BY email").fetchall()


def remove_user(conn: Conn, email: str) -> bool:
    """Delete the account; its sessions, tokens and memberships go with it."""
    return conn.execute("DELETE FROM users WHERE email = %s", (email,)).rowcount > 0


def password_hash(conn: Conn, user_id: int) -> str | None:
    row = conn.execute("SELECT password_hash FROM users WHERE id = %s", (user_id,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def set_password_hash(conn: Conn, user_id: int, hashed: str) -> None:
    conn.execute("UPDATE users SET password_hash = %s WHERE id = %s", (hashed, user_id))


def set_membership(conn: Conn, user_id: int, home_id: str, role: str) -> None:
    conn.execute(
        "INSERT INTO home_members (user_id, home_id, role) VALUES (%s, %s, %s)"
        " ON CONFLICT (user_id, home_id) DO UPDATE SET role = EXCLUDED.role",
        (user_id, home_id, role),
    )


def memberships(conn: Conn, user_id: int) -> list[Membership]:
    with conn.cursor(row_factory=class_row(Membership)) as cur:
        return cur.execute(
            "SELECT home_id, role FROM home_members WHERE user_id = %s ORDER BY home_id",
            (user_id,),
        ).fetchall()


def organisation_homes(conn: Conn, organisation: str) -> list[str]:
    rows = conn.execute(
        "SELECT id FROM homes WHERE organisation = %s ORDER BY id", (organisation,)
    ).fetchall()
    return [str(r[0]) for r in rows]


# Sessions


def add_session(
    conn: Conn, id_hash: bytes, user_id: int, csrf_token: str, now: datetime, ttl: timedelta
) -> None:
    conn.execute(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)"
        " VALUES (%s, %s, %s, %s, %s)",
        (id_hash, user_id, csrf_token, now, now + ttl),
    )


def session_user(conn: Conn, id_hash: bytes, now: datetime) -> tuple[int, str] | None:
    """(user id, CSRF token) of a live session."""
    row = conn.execute(
        "SELECT user_id, csrf_token FROM sessions"
        " WHERE id_hash = %s AND revoked_at IS NULL AND expires_at > %s",
        (id_hash, now),
    ).fetchone()
    return None if row is None else (int(str(row[0])), str(row[1]))


def revoke_session(conn: Conn, id_hash: bytes, now: datetime) -> None:
    conn.execute(
        "UPDATE sessions SET revoked_at = %s WHERE id_hash = %s AND revoked_at IS NULL",
        (now, id_hash),
    )


# Bearer tokens


def add_token(
    conn: Conn, user_id: int, token_hash: bytes, scope: str, name: str, now: datetime
) -> int:
    row = conn.execute(
        "INSERT INTO api_tokens (user_id, token_hash, scope, name, created_at)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (user_id, token_hash, scope, name, now),
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


def token_user(conn: Conn, token_hash: bytes) -> tuple[int, str] | None:
    """(user id, scope) of a live token."""
    row = conn.execute(
        "SELECT user_id, scope FROM api_tokens WHERE token_hash = %s AND revoked_at IS NULL",
        (token_hash,),
    ).fetchone()
    return None if row is None else (int(str(row[0])), str(row[1]))


def list_tokens(conn: Conn, user_id: int) -> list[ApiToken]:
    with conn.cursor(row_factory=class_row(ApiToken)) as cur:
        return cur.execute(
            "SELECT id, name, scope, created_at, revoked_at FROM api_tokens"
            " WHERE user_id = %s ORDER BY id",
            (user_id,),
        ).fetchall()


def revoke_token(conn: Conn, user_id: int, token_id: int, now: datetime) -> bool:
    return (
        conn.execute(
            "UPDATE api_tokens SET revoked_at = %s"
            " WHERE id = %s AND user_id = %s AND revoked_at IS NULL",
            (now, token_id, user_id),
        ).rowcount
        > 0
    )


# One-time sign-in links


def add_link(
    conn: Conn, token_hash: bytes, user_id: int, purpose: str, now: datetime, ttl: timedelta
) -> None:
    conn.execute(
        "INSERT INTO sign_in_links (token_hash, user_id, purpose, created_at, expires_at)"
        " VALUES (%s, %s, %s, %s, %s)",
        (token_hash, user_id, purpose, now, now + ttl),
    )


def use_link(conn: Conn, token_hash: bytes, purpose: str, now: datetime) -> int | None:
    """Spend a live link, once: the user it signs in, or None."""
    row = conn.execute(
        "UPDATE sign_in_links SET used_at = %s WHERE token_hash = %s AND purpose = %s"
        " AND used_at IS NULL AND expires_at > %s RETURNING user_id",
        (now, token_hash, purpose, now),
    ).fetchone()
    return None if row is None else int(str(row[0]))


# Failed log-ins


def add_failures(conn: Conn, keys: list[str], now: datetime) -> None:
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO login_failures (key, at) VALUES (%s, %s)", [(k, now) for k in keys]
        )


def count_failures(conn: Conn, key: str, since: datetime) -> int:
    row = conn.execute(
        "SELECT count(*) FROM login_failures WHERE key = %s AND at > %s", (key, since)
    ).fetchone()
    return 0 if row is None else int(str(row[0]))


def forget_failures_before(conn: Conn, before: datetime) -> None:
    conn.execute("DELETE FROM login_failures WHERE at < %s", (before,))


def clear_failures(conn: Conn, key: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE key = %s", (key,))


def home_organisation(conn: Conn, home_id: str) -> tuple[bool, str | None]:
    """(whether the home exists, its care organisation)."""
    row = conn.execute("SELECT organisation FROM homes WHERE id = %s", (home_id,)).fetchone()
    return (False, None) if row is None else (True, None if row[0] is None else str(row[0]))


def set_home_organisation(conn: Conn, home_id: str, organisation: str | None) -> None:
    conn.execute("UPDATE homes SET organisation = %s WHERE id = %s", (organisation, home_id))

"""Accounts for tests, made by the same code as `veille users add` and `veille users token`."""

from __future__ import annotations

from datetime import UTC, datetime

import psycopg

from api import accounts
from storage.accounts import user_by_id


def bearer(
    db_url: str,
    email: str = "admin@example.org",
    role: str = "administrator",
    *,
    home: str | None = None,
    organisation: str | None = None,
) -> dict[str, str]:
    """Headers that authenticate as a new user holding `role`."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        user_id = accounts.add_user(conn, email, role, home_id=home, organisation=organisation)
        user = user_by_id(conn, user_id)
        assert user is not None
        _, secret = accounts.issue_token(conn, user, datetime.now(UTC))
    return {"Authorization": f"Bearer {secret}"}

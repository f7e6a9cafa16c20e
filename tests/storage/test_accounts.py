from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from storage import accounts, audit, homes

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def test_a_sign_in_link_is_spent_once_and_not_after_it_expires(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        user = accounts.add_user(conn, "ana@example.org")
        accounts.add_link(conn, b"h1", user, "magic", NOW, timedelta(minutes=15))
        accounts.add_link(conn, b"h2", user, "magic", NOW, timedelta(minutes=15))
        assert accounts.use_link(conn, b"h1", "invitation", NOW) is None
        assert accounts.use_link(conn, b"h1", "magic", NOW) == user
        assert accounts.use_link(conn, b"h1", "magic", NOW) is None
        assert accounts.use_link(conn, b"h2", "magic", NOW + timedelta(minutes=16)) is None


def test_the_audit_log_refuses_update_and_delete(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        homes.upsert_home(conn, "h1", "Europe/Paris")
        audit.record(conn, NOW, None, "ana@example.org", "h1", "GET /homes/{home_id}")
        for sql in ("UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(sql)
        (entry,) = audit.list_for_home(conn, "h1", limit=10, offset=0)
    assert entry.action == "GET /homes/{home_id}"

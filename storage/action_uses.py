"""Which one-tap links were already used: each acts once."""

from __future__ import annotations

from datetime import datetime

import psycopg

Conn = psycopg.Connection[tuple[object, ...]]


def record_use(
    conn: Conn, digest: bytes, incident_id: int, contact_id: int, action: str, at: datetime
) -> datetime | None:
    """Record the first use of a link; None when it is the first, else when it was used."""
    row = conn.execute(
        "INSERT INTO action_uses (digest, incident_id, contact_id, action, used_at)"
        " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (digest) DO NOTHING RETURNING used_at",
        (digest, incident_id, contact_id, action, at),
    ).fetchone()
    if row is not None:
        return None
    found = conn.execute("SELECT used_at FROM action_uses WHERE digest = %s", (digest,)).fetchone()
    assert found is not None
    assert isinstance(found[0], datetime)
    return found[0]

"""The alert outbox: messages written with the state change they announce, then delivered.

A sender claims messages with a lease (``FOR UPDATE SKIP LOCKED``, then a lease time), so
several senders never take the same message and a crashed sender's messages are taken
again once its lease runs out, or sooner, once its process's own lease (renewed every few
seconds, see storage/leases.py) runs out. Every attempt is recorded before it is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import class_row

Conn = psycopg.Connection[tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class NewMessage:
    incident_id: int | None
    contact_id: int | None
    purpose: str
    urls: list[str]
    title: str
    body: str
    notify_type: str = "warning"


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    incident_id: int | None
    contact_id: int | None
    purpose: str
    urls: list[str]
    title: str
    body: str
    notify_type: str
    state: str
    created_at: datetime
    rounds: int
    sent_at: datetime | None
    sent_url: int | None


@dataclass(frozen=True, slots=True)
class Attempt:
    message_id: int
    at: datetime
    url: str
    ok: bool
    detail: str
    elapsed_ms: float


_COLUMNS = (
    "id, incident_id, contact_id, purpose, urls, title, body, notify_type, state,"
    " created_at, rounds, sent_at, sent_url"
)
_RETURNING = ", ".join(f"o.{c.strip()}" for c in _COLUMNS.split(","))


def enqueue(conn: Conn, messages: Sequence[NewMessage], created_at: datetime) -> list[int]:
    """Add messages (call inside the transaction that makes the change they announce)."""
    ids: list[int] = []
    for m in messages:
        if not m.urls:
            continue  # a contact with no channel cannot be told; the caller records that
        row = conn.execute(
            "INSERT INTO alert_outbox (incident_id, contact_id, purpose, urls, title, body,"
            " notify_type, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                m.incident_id,
                m.contact_id,
                m.purpose,
                m.urls,
                m.title,
                m.body,
                m.notify_type,
                created_at,
            ),
        ).fetchone()
        assert row is not None
        ids.append(int(str(row[0])))
    return ids


# Lease scope of live sender processes; a message's lease owner is "<process>/<worker>".
SENDER_SCOPE = "sender"


def claim(
    conn: Conn, owner: str, now: datetime, lease_until: datetime, limit: int
) -> list[Message]:
    """Lease up to `limit` due messages to `owner`; others skip them until the lease ends,
    or until the process lease of the owner's sender process ends (it died)."""
    with conn.cursor(row_factory=class_row(Message)) as cur:
        return cur.execute(
            "UPDATE alert_outbox o SET lease_owner = %(owner)s, lease_until = %(until)s"
            " FROM (SELECT id FROM alert_outbox WHERE state = 'pending'"
            " AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s)"
            " AND (lease_until IS NULL OR lease_until <= %(now)s OR EXISTS ("
            # the sender process holding it died (its own lease ran out): no need to wait
            "  SELECT 1 FROM leases l WHERE l.scope = %(scope)s AND l.expires_at <= %(now)s"
            "  AND l.shard = split_part(alert_outbox.lease_owner, '/', 1)))"
            " ORDER BY id LIMIT %(n)s FOR UPDATE SKIP LOCKED) due"
            f" WHERE o.id = due.id RETURNING {_RETURNING}",
            {"owner": owner, "until": lease_until, "now": now, "n": limit, "scope": SENDER_SCOPE},
        ).fetchall()


IN_FLIGHT = "in flight"  # an attempt begun and not yet answered (or its sender died)


def begin_attempt(conn: Conn, message_id: int, at: datetime, url: str) -> int:
    """Record an attempt before it is made, so one cut short by a crash is still seen."""
    row = conn.execute(
        "INSERT INTO alert_attempts (message_id, at, url, ok, detail, elapsed_ms)"
        " VALUES (%s, %s, %s, false, %s, 0) RETURNING id",
        (message_id, at, url, IN_FLIGHT),
    ).fetchone()
    assert row is not None
    return int(str(row[0]))


def finish_attempt(conn: Conn, attempt_id: int, ok: bool, detail: str, elapsed_ms: float) -> None:
    conn.execute(
        "UPDATE alert_attempts SET ok = %s, detail = %s, elapsed_ms = %s WHERE id = %s",
        (ok, detail, elapsed_ms, attempt_id),
    )


def mark_sent(conn: Conn, message_id: int, owner: str, at: datetime, url_index: int) -> bool:
    """Record delivery; False when `owner` no longer holds the lease (it ran out)."""
    cur = conn.execute(
        "UPDATE alert_outbox SET state = 'sent', sent_at = %s, sent_url = %s,"
        " lease_owner = NULL, lease_until = NULL"
        " WHERE id = %s AND lease_owner = %s AND state = 'pending'",
        (at, url_index, message_id, owner),
    )
    return cur.rowcount == 1


def retry_later(conn: Conn, message_id: int, owner: str, next_at: datetime | None) -> bool:
    """Count a round in which every URL failed; retry at `next_at`, or give up when None."""
    cur = conn.execute(
        "UPDATE alert_outbox SET rounds = rounds + 1, next_attempt_at = %s,"
        " state = CASE WHEN %s::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,"
        " lease_owner = NULL, lease_until = NULL"
        " WHERE id = %s AND lease_owner = %s AND state = 'pending'",
        (next_at, next_at, message_id, owner),
    )
    return cur.rowcount == 1


def list_messages(conn: Conn, incident_id: int) -> list[Message]:
    with conn.cursor(row_factory=class_row(Message)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM alert_outbox WHERE incident_id = %s ORDER BY id",
            (incident_id,),
        ).fetchall()


def get_message(conn: Conn, message_id: int) -> Message | None:
    with conn.cursor(row_factory=class_row(Message)) as cur:
        return cur.execute(
            f"SELECT {_COLUMNS} FROM alert_outbox WHERE id = %s", (message_id,)
        ).fetchone()


def list_attempts(conn: Conn, message_id: int) -> list[Attempt]:
    with conn.cursor(row_factory=class_row(Attempt)) as cur:
        return cur.execute(
            "SELECT message_id, at, url, ok, detail, elapsed_ms FROM alert_attempts"
            " WHERE message_id = %s ORDER BY id",
            (message_id,),
        ).fetchall()


def oldest_pending_at(conn: Conn) -> datetime | None:
    """Creation time of the oldest undelivered message: how far behind the sender is."""
    row = conn.execute(
        "SELECT min(created_at) FROM alert_outbox WHERE state = 'pending'"
        " AND next_attempt_at IS NULL"
    ).fetchone()
    return row[0] if row is not None and isinstance(row[0], datetime) else None


def contacts_told(conn: Conn, incident_id: int) -> list[int]:
    """Everyone who was sent anything about an incident, in the order first told."""
    rows = conn.execute(
        "SELECT contact_id FROM alert_outbox WHERE incident_id = %s AND contact_id IS NOT NULL"
        " GROUP BY contact_id ORDER BY min(id)",
        (incident_id,),
    ).fetchall()
    return [int(str(r[0])) for r in rows]


def nobody_reached(conn: Conn, incident_id: int, purpose: str) -> bool:
    """True when every message of this purpose for the incident has failed for good."""
    row = conn.execute(
        "SELECT count(*) FILTER (WHERE state <> 'failed') = 0 FROM alert_outbox"
        " WHERE incident_id = %s AND purpose = %s",
        (incident_id, purpose),
    ).fetchone()
    return bool(row and row[0])


def list_messages_to(conn: Conn, contact_id: int, limit: int = 100) -> list[Message]:
    """The latest messages written for one person, oldest first."""
    with conn.cursor(row_factory=class_row(Message)) as cur:
        rows = cur.execute(
            f"SELECT {_COLUMNS} FROM alert_outbox WHERE contact_id = %s ORDER BY id DESC LIMIT %s",
            (contact_id, limit),
        ).fetchall()
    return rows[::-1]

"""One process per MQTT client id: a PostgreSQL advisory lock held for the process's life.

Two processes sharing a client id take the broker session from each other on every
reconnect, each leaving the other's messages half-delivered; the second must not start.
The lock goes with the holder's connection, so a killed process frees it at once.
"""

from __future__ import annotations

import psycopg

Conn = psycopg.Connection[tuple[object, ...]]


def claim(conn: Conn, client_id: str) -> bool:
    """Hold `client_id` on this connection; False if another connection holds it."""
    row = conn.execute(
        "SELECT pg_try_advisory_lock(hashtextextended('veille-mqtt-client-id:' || %s, 0))",
        (client_id,),
    ).fetchone()
    return bool(row and row[0])

"""Everything stored about one home: exported (GDPR art. 15 and 20), or erased (art. 17).

A home's rows are found two ways, so a table added later is not forgotten: every table of
the schema with a ``home_id`` column (found in ``information_schema``), and the tables that
hang off a home's incidents, contacts, messages and check-ins (`LINKED`). Erasure deletes
them all in one transaction and leaves one stub row in ``erasures``: when, and by whom.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO

import psycopg
from psycopg import sql

from storage import audit, timescale

Conn = psycopg.Connection[tuple[object, ...]]
# How a column's value is shown in an export (e.g. sealed URLs shown masked): (table, column,
# value) -> value.
ColumnView = Callable[[str, str, object], object]

_INCIDENTS = "SELECT id FROM incidents WHERE home_id = %(home)s"
_CONTACTS = "SELECT id FROM contacts WHERE home_id = %(home)s"
_MESSAGES = (
    f"SELECT id FROM alert_outbox WHERE incident_id IN ({_INCIDENTS})"
    f" OR contact_id IN ({_CONTACTS})"
)
# Tables without a home_id column, by what ties their rows to the home.
LINKED: dict[str, str] = {
    "homes": "id = %(home)s",
    "escalations": f"incident_id IN ({_INCIDENTS})",
    "incident_timeline": f"incident_id IN ({_INCIDENTS})",
    "checkins": f"incident_id IN ({_INCIDENTS})",
    "checkin_offers": f"contact_id IN ({_CONTACTS})"
    f" OR checkin_id IN (SELECT id FROM checkins WHERE incident_id IN ({_INCIDENTS}))",
    "action_uses": f"incident_id IN ({_INCIDENTS}) OR contact_id IN ({_CONTACTS})",
    "alert_outbox": f"id IN ({_MESSAGES})",
    "alert_attempts": f"message_id IN ({_MESSAGES})",
    "digests_sent": f"contact_id IN ({_CONTACTS})",
    # Raw payloads of messages ingest could not use, on the home's native topics.
    "dead_letters": "strpos(topic, '/' || %(home)s || '/') > 0",
}
# Children before parents: erasure deletes in this order, then the home and its cascades.
_ERASE_FIRST = (
    "alert_attempts",
    "digests_sent",
    "action_uses",
    "checkin_offers",
    "alert_outbox",
    "dead_letters",
)


@dataclass(frozen=True, slots=True)
class Exported:
    rows: dict[str, int]  # table -> rows exported


def home_tables(conn: Conn) -> dict[str, str]:
    """Every table holding rows of a home, with the condition that selects them."""
    rows = conn.execute(
        "SELECT c.table_name FROM information_schema.columns c"
        " JOIN information_schema.tables t USING (table_schema, table_name)"
        " WHERE c.table_schema = current_schema() AND c.column_name = 'home_id'"
        " AND t.table_type = 'BASE TABLE' ORDER BY c.table_name"
    ).fetchall()
    found = {str(r[0]): "home_id = %(home)s" for r in rows}
    return {**LINKED, **found}


def export_home(
    conn: Conn, home_id: str, out: IO[bytes], now: datetime, view: ColumnView
) -> Exported:
    """Write a zip of `tables/<table>.json` and `.csv` for every table, and `manifest.json`.

    One REPEATABLE READ transaction: every file shows the same moment. Rows stream from a
    server-side cursor, so a home's year of events never sits in memory.
    """
    counts: dict[str, int] = {}
    with conn.transaction(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for table, where in home_tables(conn).items():
            with archive.open(f"tables/{table}.json", "w") as raw:
                counts[table] = _write_json(conn, table, where, home_id, raw, view)
            with archive.open(f"tables/{table}.csv", "w") as raw:
                _write_csv(conn, table, where, home_id, raw, view)
        manifest = {
            "home_id": home_id,
            "exported_at": now.isoformat(),
            "tables": counts,
            "formats": "each table as JSON (an array of objects) and CSV (a header row)",
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return Exported(counts)


def erase_home(conn: Conn, home_id: str, by: str, now: datetime) -> dict[str, int]:
    """Delete every row of the home; leave a stub (when, by whom). Returns rows per table."""
    if not by.strip():
        raise ValueError("say who erases (--by)")
    deleted: dict[str, int] = {}
    with conn.transaction():
        audit.allow_purge(conn)
        tables = home_tables(conn)
        order = [*_ERASE_FIRST, *(t for t in tables if t not in _ERASE_FIRST and t != "homes")]
        for table in [*order, "homes"]:
            query = sql.SQL("DELETE FROM {} WHERE ").format(sql.Identifier(table)) + sql.SQL(
                tables[table]  # our own constant conditions, never input
            )
            deleted[table] = conn.execute(query, {"home": home_id}).rowcount
        _erase_aggregates(conn, home_id)
        conn.execute("INSERT INTO erasures (erased_at, erased_by) VALUES (%s, %s)", (now, by))
    return deleted


def _erase_aggregates(conn: Conn, home_id: str) -> None:
    """The continuous aggregate's stored rows (Timescale licence) are not a base table here."""
    if timescale.licence(conn) != "timescale":
        return
    row = conn.execute(
        "SELECT materialization_hypertable_schema, materialization_hypertable_name"
        " FROM timescaledb_information.continuous_aggregates WHERE view_name = 'events_hourly'"
    ).fetchone()
    if row is not None:
        target = sql.Identifier(str(row[0]), str(row[1]))
        conn.execute(sql.SQL("DELETE FROM {} WHERE home_id = %s").format(target), (home_id,))


def _rows(
    conn: Conn, table: str, where: str, home_id: str
) -> Iterator[tuple[list[str], tuple[object, ...]]]:
    query = sql.SQL("SELECT * FROM {} WHERE ").format(sql.Identifier(table)) + sql.SQL(
        where  # our own constant conditions, never input
    )
    with conn.cursor(name=f"export_{table}") as cur:
        cur.itersize = 2000
        cur.execute(query, {"home": home_id})
        names = [d.name for d in cur.description or []]
        for row in cur:
            yield names, row


def _write_json(
    conn: Conn, table: str, where: str, home_id: str, raw: IO[bytes], view: ColumnView
) -> int:
    text = io.TextIOWrapper(raw, encoding="utf-8")
    text.write("[")
    count = 0
    for names, row in _rows(conn, table, where, home_id):
        record = {n: _plain(view(table, n, v)) for n, v in zip(names, row, strict=True)}
        text.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
        count += 1
    text.write("\n]\n")
    text.flush()
    text.detach()
    return count


def _write_csv(
    conn: Conn, table: str, where: str, home_id: str, raw: IO[bytes], view: ColumnView
) -> None:
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    writer = csv.writer(text)
    header = False
    for names, row in _rows(conn, table, where, home_id):
        if not header:
            writer.writerow(names)
            header = True
        values = [_plain(view(table, n, v)) for n, v in zip(names, row, strict=True)]
        writer.writerow([v if isinstance(v, str) else json.dumps(v) for v in values])
    text.flush()
    text.detach()


def _plain(value: object) -> object:
    """A JSON-ready value: times in ISO 8601, bytes in base64, numbers as numbers."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value

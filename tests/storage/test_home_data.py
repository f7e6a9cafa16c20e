"""Export and erasure of everything about a home, on both servers: the export holds every
table's rows of that home and nothing of another; erasure leaves none, and a stub."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from alerts.engine import Engine
from alerts.message import Links
from alerts.privacy import export_home
from devices.clock import ManualClock
from devices.signals import DeviceKind, Role, Room
from storage import action_uses, care, checkins, contacts, digests, homes, incidents, outbox
from storage.home_data import erase_home, home_tables
from storage.retention import roll_up
from tests.alerts.conftest import VAULT

pytestmark = pytest.mark.timescale
Conn = psycopg.Connection[tuple[object, ...]]
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ALPHA, BETA = "maison-alpha", "maison-beta"
LINKS = Links("http://veille.test", "export-secret")


def _seed(conn: Conn, home: str) -> None:
    """A row of `home` in every table that can hold one."""
    homes.upsert_home(conn, home, "Europe/Paris", f"Mamie {home}")
    conn.execute(
        "INSERT INTO rooms (home_id, name, kind) VALUES (%s, 'kitchen', 'kitchen')", (home,)
    )
    homes.upsert_device(conn, home, "pir", DeviceKind.MOTION, Room.KITCHEN, Role.NONE)
    conn.execute(
        "INSERT INTO device_status (home_id, device_id, battery_pct) VALUES (%s, 'pir', 80)",
        (home,),
    )
    conn.execute(
        "INSERT INTO events (at, home_id, device_id, signal, value, activity)"
        " SELECT %s - n * INTERVAL '1 hour', %s, 'pir', 'occupancy', 1, true"
        " FROM generate_series(1, 3) AS n",
        (NOW, home),
    )
    roll_up(conn, NOW)
    care.set_care(conn, care.HomeCare(home, f"{home} 12 rue des Lilas", "key safe 4711"))
    family = contacts.add_contact(
        conn,
        contacts.NewContact(
            home, f"Anna {home}", "family", [VAULT.seal(f"json://hooks.example.org/{home}-s3cret")]
        ),
    )
    volunteer = contacts.add_contact(
        conn,
        contacts.NewContact(
            home, f"Vera {home}", "volunteer", [VAULT.seal("ntfy://vera-topic")], vetted=True
        ),
    )
    conn.execute(
        "INSERT INTO routine_models (home_id, model, learned_until) VALUES (%s, '\\x00ff', %s)",
        (home, NOW),
    )
    conn.execute(
        "INSERT INTO daily_features (home_id, day, features) VALUES (%s, %s, '{\"wake\": 7.5}')",
        (home, NOW.date()),
    )
    opened = incidents.open_incident(conn, home, "inactivity", NOW, f"No movement at {home}")
    assert opened is not None
    Engine(conn, ManualClock(NOW), LINKS).run_once()  # escalation, messages, timeline
    checkin = checkins.request_checkin(conn, opened, NOW, [(volunteer, 0.4)])
    checkins.accept(conn, checkin, volunteer, NOW)
    action_uses.record_use(conn, home.encode().ljust(32, b"."), opened, volunteer, "accept", NOW)
    [message, *_] = outbox.list_messages(conn, opened)
    attempt = outbox.begin_attempt(conn, message.id, NOW, "json://h...s")
    outbox.finish_attempt(conn, attempt, True, "ok", 3.0)
    conn.execute(
        "INSERT INTO incident_feedback (incident_id, home_id, outcome, applied_at)"
        " VALUES (%s, %s, 'fine', %s)",
        (opened, home, NOW),
    )
    digests.claim_digest(conn, family, NOW.date())
    digest = outbox.NewMessage(
        None,
        family,
        "digest",
        [VAULT.seal("json://x.example.org/d")],
        f"Mamie {home}: all is well",
        "b",
    )
    outbox.enqueue(conn, [digest], NOW)
    conn.execute(
        "INSERT INTO dead_letters (received_at, topic, reason, payload, payload_bytes)"
        " VALUES (%s, %s, 'bad', 'x', 1)",
        (NOW, f"veille/v1/{home}/pir"),
    )
    conn.execute(
        "INSERT INTO device_messages (home_id, device_id, received_at, topic, payload, outcome)"
        " VALUES (%s, 'pir', %s, %s, '{}', 'stored')",
        (home, NOW, f"veille/v1/{home}/pir"),
    )
    row = conn.execute(
        "INSERT INTO users (email) VALUES (%s) RETURNING id", (f"{uuid.uuid4().hex}@example.org",)
    ).fetchone()
    assert row is not None
    conn.execute(
        "INSERT INTO home_members (user_id, home_id, role) VALUES (%s, %s, 'family')",
        (row[0], home),
    )
    conn.execute(
        "INSERT INTO audit_log (at, user_email, home_id, action) VALUES (%s, 'a@x', %s, 'GET')",
        (NOW, home),
    )


def _counts(conn: Conn, home: str) -> dict[str, int]:
    counts = {}
    for table, where in home_tables(conn).items():
        row = conn.execute(f"SELECT count(*) FROM {table} WHERE {where}", {"home": home}).fetchone()
        assert row is not None
        counts[table] = int(str(row[0]))
    return counts


def _everything(conn: Conn) -> str:
    """Every row of every table of the schema, as text."""
    tables = conn.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE'"
    ).fetchall()
    return "\n".join(
        str(r[0])
        for (t,) in tables
        for r in conn.execute(f"SELECT row_to_json(x)::text FROM {t} x").fetchall()
    )


@pytest.fixture
def conn(db_url: str) -> Iterator[Conn]:
    with psycopg.connect(db_url, autocommit=True) as c:
        _seed(c, ALPHA)
        _seed(c, BETA)
        yield c


def test_the_export_holds_every_tables_rows_of_the_home_and_nothing_of_another(conn: Conn) -> None:
    expected = _counts(conn, ALPHA)
    assert all(expected.values()), f"the seed misses tables: {expected}"
    out = io.BytesIO()

    done = export_home(conn, ALPHA, out, NOW, VAULT)

    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tables"] == expected == done.rows
    for table, count in expected.items():
        rows = json.loads(archive.read(f"tables/{table}.json"))
        grid = list(csv.reader(io.StringIO(archive.read(f"tables/{table}.csv").decode())))
        assert len(rows) == count == len(grid) - 1
        assert grid[0] == list(rows[0])
    text = "\n".join(archive.read(n).decode() for n in archive.namelist())
    assert BETA not in text
    assert ALPHA in text
    assert "Anna maison-alpha" in text
    assert "s3cret" not in text  # apprise URLs masked, not sealed or clear
    assert "gAAAAA" not in text
    assert "/a/<token>" in text  # no live link in the message bodies
    assert "http://veille.test/a/ey" not in text


def test_erasure_leaves_no_row_of_the_home_in_any_table_and_a_stub(conn: Conn) -> None:
    other = _counts(conn, BETA)
    ids = conn.execute(
        "SELECT array_agg(id) FROM incidents WHERE home_id = %s", (ALPHA,)
    ).fetchone()

    erase_home(conn, ALPHA, "dpo@example.org", NOW + timedelta(days=1))

    with_home_id = conn.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND column_name = 'home_id'"
    ).fetchall()
    for (table,) in with_home_id:
        row = conn.execute(f"SELECT count(*) FROM {table} WHERE home_id = %s", (ALPHA,)).fetchone()
        assert row == (0,), table
    assert all(count == 0 for count in _counts(conn, ALPHA).values())
    assert _counts(conn, BETA) == other
    everything = _everything(conn)
    for trace in (ALPHA, "Mamie maison-alpha", "maison-alpha 12 rue", "Anna maison-alpha"):
        assert trace not in everything
    assert ids is not None
    for incident_id in ids[0]:
        assert incidents.get_incident(conn, incident_id) is None
    stub = conn.execute("SELECT erased_at, erased_by FROM erasures").fetchall()
    assert stub == [(NOW + timedelta(days=1), "dpo@example.org")]

"""Alerts fixtures: a database connection, a home with people, and real receivers."""

from __future__ import annotations

import socket
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import apprise
import psycopg
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from alerts.message import Links
from alerts.outbound import Outbound
from alerts.receiver import Receiver
from alerts.sender import SenderConfig
from alerts.vault import Vault
from devices.clock import ManualClock
from storage import care, contacts, homes

# apprise loads its plugins on first use, and its e-mail plugin imports `imghdr`, deprecated
# in Python 3.11; warnings are errors in tests, so load them once here with that one ignored.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'imghdr' is deprecated", DeprecationWarning)
    apprise.Apprise.instantiate("json://localhost")

HOME = "h1"
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECRET = "test-secret-key"
LINKS = Links("http://veille.test", SECRET)
DATA_KEY = "test-data-key"
VAULT = Vault(DATA_KEY)
# The test receivers (HTTP, SMTP) listen on this machine: allowed by name, as an operator
# allows a local relay with VEILLE_OUTBOUND_ALLOW.
LOCAL = Outbound(allow=frozenset({"127.0.0.1"}))
SENDING = SenderConfig(outbound=LOCAL)


@pytest.fixture
def conn(db_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(db_url, autocommit=True) as c:
        homes.upsert_home(c, HOME, "Europe/Paris", "Mamie Jeanne")
        yield c


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def add_person(
    conn: psycopg.Connection[tuple[object, ...]], name: str, role: str, *urls: str, **extra: object
) -> int:
    return contacts.add_contact(
        conn,
        contacts.NewContact(HOME, name, role, VAULT.seal_all(list(urls)), **extra),  # type: ignore[arg-type]
    )


@dataclass
class Mailbox:
    """What a local SMTP server received."""

    messages: list[Envelope] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@dataclass
class Smtp:
    port: int
    mailbox: Mailbox

    def url(self, to: str = "anna@example.org") -> str:
        # mode=insecure: plain SMTP, no TLS, no login, as a local test server speaks
        return f"mailto://127.0.0.1:{self.port}?mode=insecure&from=veille@example.org&to={to}"


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Smtp(port, mailbox)
    finally:
        controller.stop()


# Around the home (Lyon): Vera 0.3 km, Victor 1.2 km, Wanda 0.8 km but only available in the
# evening, Felix 25 km (goes 5 km at most), Nico near but not vetted.
HOME_AT = (45.7640, 4.8357)


@pytest.fixture
def people(conn: psycopg.Connection[tuple[object, ...]], receiver: Receiver) -> dict[str, int]:
    """A home with family, volunteers, a care organisation and an emergency contact."""
    care.set_care(
        conn,
        care.HomeCare(
            HOME,
            "12 rue des Lilas, Lyon",
            "Key safe 4711, side door",
            *HOME_AT,
        ),
    )

    def volunteer(name: str, lat: float, lon: float, **extra: object) -> int:
        extra = {"vetted": True, "max_distance_km": 5.0, **extra}
        return add_person(
            conn,
            name,
            "volunteer",
            receiver.url(name.lower()),
            latitude=lat,
            longitude=lon,
            **extra,
        )

    return {
        "Anna": add_person(conn, "Anna", "family", receiver.url("anna")),
        "Ben": add_person(conn, "Ben", "family", receiver.url("ben"), position=1),
        "Vera": volunteer("Vera", 45.7665, 4.8380),
        "Victor": volunteer("Victor", 45.7740, 4.8400),
        "Wanda": volunteer("Wanda", 45.7700, 4.8350, available_hours="18:00-23:00"),
        "Felix": volunteer("Felix", 45.9800, 4.8357),
        "Nico": volunteer("Nico", 45.7641, 4.8358, vetted=False),
        "Care": add_person(conn, "Care", "care_org", receiver.url("care")),
        "Eve": add_person(conn, "Eve", "emergency", receiver.url("eve")),
    }

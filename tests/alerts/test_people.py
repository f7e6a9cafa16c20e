from __future__ import annotations

import psycopg
import pytest

from alerts.outbound import Outbound
from alerts.people import ContactError, change_urls, save_contact
from storage import contacts
from storage.contacts import NewContact
from tests.alerts.conftest import HOME, LOCAL, VAULT

Conn = psycopg.Connection[tuple[object, ...]]
PUBLIC_ONLY = Outbound()


def _opened(conn: Conn, contact_id: int) -> list[str]:
    saved = contacts.get_contact(conn, contact_id)
    assert saved is not None
    return [VAULT.open(u) for u in saved.apprise_urls]


def test_a_family_member_with_several_channels_is_saved_in_order_and_sealed(conn: Conn) -> None:
    urls = ["ntfys://ntfy.example.org/mamie", "mailto://anna:pw@example.org", "json://127.0.0.1/x"]

    contact_id = save_contact(conn, NewContact(HOME, "Anna", "family", urls), VAULT, LOCAL)

    assert _opened(conn, contact_id) == urls
    row = conn.execute("SELECT apprise_urls::text FROM contacts WHERE id = %s", (contact_id,))
    stored = str(row.fetchone())
    for secret in ("mamie", "anna", "pw", "127.0.0.1"):
        assert secret not in stored


def test_the_database_refuses_an_apprise_url_in_clear(conn: Conn) -> None:
    with pytest.raises(psycopg.errors.CheckViolation):
        contacts.add_contact(conn, NewContact(HOME, "Anna", "family", ["json://example.org/x"]))


@pytest.mark.parametrize(
    ("contact", "problem"),
    [
        (NewContact(HOME, "Anna", "family", ["nosuchscheme://x"]), "not a usable apprise URL"),
        (NewContact(HOME, "Anna", "family", ["json://"]), "not a usable apprise URL"),
        (NewContact(HOME, "Anna", "cousin", []), "role must be"),
        (NewContact(HOME, " ", "family", []), "a name is needed"),
        (NewContact(HOME, "Vera", "volunteer", [], available_hours="9-5"), "available_hours"),
        (NewContact(HOME, "Vera", "volunteer", [], latitude=45.0), "both latitude"),
    ],
)
def test_unusable_contacts_are_refused_when_saved(
    conn: Conn, contact: NewContact, problem: str
) -> None:
    with pytest.raises(ContactError, match=problem):
        save_contact(conn, contact, VAULT, LOCAL)

    assert contacts.list_contacts(conn, HOME) == []


@pytest.mark.parametrize(
    "url",
    [
        "json://169.254.169.254/latest/meta-data",  # the cloud metadata service
        "json://127.0.0.1:5432/",  # the database
        "json://localhost:1883/",
        "json://2130706433/",  # 127.0.0.1 written as one number
        "json://[::1]:8000/",
        "json://[::ffff:127.0.0.1]/",
        "json://[fe80::1]/",
        "json://10.0.0.7/hook",
        "json://172.16.1.1/hook",
        "jsons://192.168.1.1/hook",
        "json://[fd00::1]/",
        "json://0.0.0.0/",
        "json://224.0.0.1/",
        "mailtos://anna@example.org?smtp=127.0.0.1&user=a&pass=b",
    ],
)
def test_a_url_aimed_at_the_instances_own_network_is_refused_when_saved(
    conn: Conn, url: str
) -> None:
    with pytest.raises(ContactError, match=r"non-public address|own services"):
        save_contact(conn, NewContact(HOME, "Mallory", "family", [url]), VAULT, PUBLIC_ONLY)

    assert contacts.list_contacts(conn, HOME) == []


def test_the_instances_own_services_are_refused_even_on_a_public_address(conn: Conn) -> None:
    own = Outbound(
        own_hosts=frozenset({"veille.example.org"}), resolver=lambda h: ["93.184.215.14"]
    )

    with pytest.raises(ContactError, match="own services"):
        save_contact(
            conn, NewContact(HOME, "M", "family", ["json://93.184.215.14/a/x"]), VAULT, own
        )


def test_an_operator_allows_a_local_relay_by_host_or_host_and_port(conn: Conn) -> None:
    relay = Outbound(
        allow=frozenset({"127.0.0.1:2525", "ntfy.lan"}), resolver=lambda h: ["10.0.0.2"]
    )
    new = NewContact(HOME, "Anna", "family", ["json://127.0.0.1:2525/", "ntfy://ntfy.lan/mamie"])

    assert save_contact(conn, new, VAULT, relay)
    with pytest.raises(ContactError, match="non-public"):
        save_contact(
            conn, NewContact(HOME, "B", "family", ["json://127.0.0.1:2526/"]), VAULT, relay
        )


def test_changing_urls_refuses_an_invalid_one_and_keeps_the_old_ones(conn: Conn) -> None:
    contact_id = save_contact(
        conn, NewContact(HOME, "Anna", "family", ["json://127.0.0.1/a"]), VAULT, LOCAL
    )

    for urls in (["json://127.0.0.1/b", "bogus://"], ["json://169.254.169.254/"]):
        with pytest.raises(ContactError):
            change_urls(conn, contact_id, urls, VAULT, LOCAL)

    assert _opened(conn, contact_id) == ["json://127.0.0.1/a"]

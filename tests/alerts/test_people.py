from __future__ import annotations

import psycopg
import pytest

from alerts.people import ContactError, change_urls, save_contact
from storage import contacts
from storage.contacts import NewContact
from tests.alerts.conftest import HOME

Conn = psycopg.Connection[tuple[object, ...]]


def test_a_family_member_with_several_channels_is_saved_in_order(conn: Conn) -> None:
    urls = ["ntfys://ntfy.example.org/mamie", "mailto://anna:pw@example.org", "json://localhost/x"]

    contact_id = save_contact(conn, NewContact(HOME, "Anna", "family", urls))

    saved = contacts.get_contact(conn, contact_id)
    assert saved is not None
    assert saved.apprise_urls == urls


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
        save_contact(conn, contact)

    assert contacts.list_contacts(conn, HOME) == []


def test_changing_urls_refuses_an_invalid_one_and_keeps_the_old_ones(conn: Conn) -> None:
    contact_id = save_contact(conn, NewContact(HOME, "Anna", "family", ["json://localhost/a"]))

    with pytest.raises(ContactError):
        change_urls(conn, contact_id, ["json://localhost/b", "bogus://"])

    saved = contacts.get_contact(conn, contact_id)
    assert saved is not None
    assert saved.apprise_urls == ["json://localhost/a"]

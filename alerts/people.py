"""Saving the people told about a home, refusing what could never reach them.

An apprise URL apprise cannot build a service from, or one aimed at the instance's own
network (`alerts.outbound`), is refused here, when it is saved, rather than discovered when
an alert fails to go out. URLs are stored sealed (`alerts.vault`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import psycopg

from alerts.delivery import is_valid_url
from alerts.hours import HoursError, parse_hours
from alerts.masking import masked
from alerts.outbound import Outbound, OutboundError
from alerts.vault import Vault
from storage import contacts
from storage.contacts import ROLES, NewContact

Conn = psycopg.Connection[tuple[object, ...]]


class ContactError(ValueError):
    pass


def check_contact(contact: NewContact, outbound: Outbound) -> None:
    """Raise ContactError naming the first thing wrong with `contact` (URLs in clear)."""
    if contact.role not in ROLES:
        raise ContactError(f"role must be one of {', '.join(ROLES)}")
    if not contact.name.strip():
        raise ContactError("a name is needed")
    check_urls(contact.apprise_urls, outbound)
    for label, text in (
        ("available_hours", contact.available_hours),
        ("quiet_hours", contact.quiet_hours),
    ):
        try:
            parse_hours(text)
        except HoursError as err:
            raise ContactError(f"{label}: {err}") from None
    if (contact.latitude is None) != (contact.longitude is None):
        raise ContactError("give both latitude and longitude, or neither")
    if contact.latitude is not None and not -90 <= contact.latitude <= 90:
        raise ContactError("latitude must be between -90 and 90")
    if contact.longitude is not None and not -180 <= contact.longitude <= 180:
        raise ContactError("longitude must be between -180 and 180")
    if contact.max_distance_km is not None and contact.max_distance_km <= 0:
        raise ContactError("max_distance_km must be positive")


def check_urls(urls: Sequence[str], outbound: Outbound | None = None) -> None:
    """Usable apprise URLs, and (with `outbound`) none aimed where Veille may not send."""
    for url in urls:
        if not is_valid_url(url):
            raise ContactError(f"not a usable apprise URL: {masked(url)}")
        if outbound is not None:
            try:
                outbound.check(url)
            except OutboundError as err:
                raise ContactError(f"refused apprise URL {masked(url)}: {err}") from None


def save_contact(conn: Conn, contact: NewContact, vault: Vault, outbound: Outbound) -> int:
    check_contact(contact, outbound)
    return contacts.add_contact(
        conn, replace(contact, apprise_urls=vault.seal_all(contact.apprise_urls))
    )


def edit_contact(
    conn: Conn, contact_id: int, contact: NewContact, vault: Vault, outbound: Outbound
) -> None:
    """Replace a contact's details and URLs, checked once (the outbound check resolves names)."""
    check_contact(contact, outbound)
    with conn.transaction():
        contacts.update_details(conn, contact_id, contact)
        contacts.set_apprise_urls(conn, contact_id, vault.seal_all(contact.apprise_urls))


def change_urls(
    conn: Conn, contact_id: int, urls: Sequence[str], vault: Vault, outbound: Outbound
) -> bool:
    check_urls(urls, outbound)
    return contacts.set_apprise_urls(conn, contact_id, vault.seal_all(list(urls)))

"""Where Veille may send: never to its own network, unless the operator allows a host.

A contact's apprise URL names a host the sender will connect to. One that resolves to a
loopback, link-local, private (RFC 1918, fc00::/7), shared, reserved, unspecified or
multicast address, or to one of the instance's own services (database, broker, API), would
let whoever can save a contact make the server call its neighbours (the cloud metadata
service at 169.254.169.254, the database). Such URLs are refused when saved and checked
again at each delivery, since DNS answers change. During a delivery the rules also guard
every HTTP connection the apprise plugin opens (`guarding`): the address actually connected
to is checked, so neither a redirect to an inside address nor a DNS answer that changed since
the check gets through. An operator allows a local ntfy or SMTP relay by name, ``host`` or
``host:port`` (``VEILLE_OUTBOUND_ALLOW``).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from urllib3.util import connection

Resolver = Callable[[str], list[str]]
# Query options through which apprise plugins take the host they connect to.
_HOST_OPTIONS = ("smtp", "host")


class OutboundError(ValueError):
    pass


def resolve(host: str) -> list[str]:
    """Every address `host` resolves to; none when it does not resolve."""
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        return []
    return sorted({str(info[4][0]) for info in found})


@dataclass(frozen=True, slots=True)
class Outbound:
    allow: frozenset[str] = frozenset()  # "host" or "host:port", lower case
    own_hosts: frozenset[str] = frozenset()  # the instance's services, refused by name too
    resolver: Resolver = field(default=resolve, compare=False)

    @classmethod
    def from_settings(cls, allow: str, own_urls: Iterable[str]) -> Outbound:
        own = {h for u in own_urls if u and (h := urlsplit(u).hostname)}
        return cls(frozenset(a.lower() for a in allow.split()), frozenset(own))

    def check(self, url: str) -> None:
        """OutboundError naming why `url` may not be used; returns when it may."""
        for host, port in targets(url):
            self.address_for(host, port)

    def address_for(self, host: str, port: int | None) -> str:
        """What to connect to for `host`: itself when allowed by name, else its first
        address, once every address it resolves to has been found public and not ours."""
        host = host.lower()
        if host in self.allow or f"{host}:{port}" in self.allow:
            return host
        own = {a for h in self.own_hosts for a in [h, *self.resolver(h)]}
        addresses = [host] if _literal(host) else self.resolver(host)
        for address in [host, *addresses]:
            if address in own:
                raise OutboundError(f"{host} is one of this instance's own services")
        for address in addresses:
            if not _public(address):
                raise OutboundError(
                    f"{host} points to a non-public address ({address});"
                    " an operator may allow it in VEILLE_OUTBOUND_ALLOW"
                )
        return addresses[0] if addresses else host


# The rules in force in this thread, and the refusals they made (plugins swallow the error).
_ACTIVE: ContextVar[tuple[Outbound, list[str]] | None] = ContextVar("veille_outbound", default=None)


@contextmanager
def guarding(rules: Outbound) -> Iterator[list[str]]:
    """Within this block, in this thread, HTTP connections obey `rules` (see module doc);
    yields the list of connections refused, for the attempt's reason."""
    _install_guard()
    refused: list[str] = []
    token = _ACTIVE.set((rules, refused))
    try:
        yield refused
    finally:
        _ACTIVE.reset(token)


def _install_guard() -> None:
    """Wrap urllib3's connection factory once per process; outside `guarding` it is a no-op."""
    original = connection.create_connection
    if getattr(original, "veille_guard", False):
        return

    def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        active = _ACTIVE.get()
        if active is not None:
            rules, refused = active
            host, port = address
            try:
                # Connect to the address just checked; TLS still verifies the name (urllib3
                # passes the host name for SNI and certificate checks separately).
                address = (rules.address_for(host.strip("[]"), port), port)
            except OutboundError as err:
                refused.append(str(err))
                raise
        return original(address, *args, **kwargs)

    create_connection.veille_guard = True  # type: ignore[attr-defined]
    connection.create_connection = create_connection


def targets(url: str) -> list[tuple[str, int | None]]:
    """The hosts (and ports) an apprise URL may make the sender connect to."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # a token where a port would be (tgram://123:ABC/...): no host there
        port = None
    found = [(parts.hostname, port)] if parts.hostname else []
    options = parse_qs(parts.query)
    found += [(v.lower(), None) for name in _HOST_OPTIONS for v in options.get(name, [])]
    return [(h.strip("[]"), p) for h, p in found if h]


def _literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])  # fe80::1%eth0: the zone is no address
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast

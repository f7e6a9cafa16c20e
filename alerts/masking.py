"""Apprise URLs with every secret part hidden, safe to store, log and show.

apprise's own ``url(privacy=True)`` hides passwords and the tokens its plugins declare
private, but shows webhook paths, query tokens, header values (``+Header=``), payload fields
(``-field=``, ``:field=``), ntfy topics, phone and Signal numbers, chat ids and e-mail
addresses. On top of it, everything but a real host name, a port and apprise's own option
values is masked: path segments and unknown query values to their first and last character,
user names likewise, e-mail addresses to their first letter and domain, phone numbers to
their last two digits.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import apprise

from alerts.vault import Vault, VaultError

# apprise's generic options and plugin modes: settings, not secrets.
SAFE_OPTIONS = frozenset(
    {
        "album", "auth", "avatar", "batch", "blocks", "content", "cto", "detect", "fields",
        "footer", "footer_logo", "format", "image", "method", "mdv", "mode", "optional",
        "overflow", "preview", "priority", "retry", "silent", "smtp", "sound", "status",
        "timestamp", "tts", "wait",
    }
)  # fmt: skip
_HOSTNAME = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_PHONE = re.compile(r"\+?[0-9][0-9 ().-]{5,}")
_MASKED = "..."  # apprise's own mark of a masked value


def masked(url: str) -> str:
    """`url` with every secret part hidden; an unusable URL shows only its scheme."""
    service = apprise.Apprise.instantiate(url)
    if service is None:
        return urlsplit(url).scheme + "://(invalid)"
    return hide_parts(str(service.url(privacy=True)))  # type: ignore[no-untyped-call]


def masked_sealed(vault: Vault, sealed: str) -> str:
    """A sealed URL shown masked; "(sealed)" when this key cannot open it."""
    try:
        return masked(vault.open(sealed))
    except VaultError:
        return "(sealed)"


def hide_parts(url: str) -> str:
    parts = urlsplit(url)
    netloc = _host(parts.netloc.rpartition("@")[2])
    if "@" in parts.netloc:
        user, _, password = parts.netloc.rpartition("@")[0].partition(":")
        netloc = f"{partial(unquote(user))}{':****' if password else ''}@{netloc}"
    path = "/".join(partial(unquote(s)) for s in parts.path.split("/"))
    query = "&".join(
        f"{quote(k, safe='+-:')}={quote(v if k in SAFE_OPTIONS else partial(v), safe='.*@+')}"
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    )
    return f"{parts.scheme}://{netloc}{path}" + (f"?{query}" if query else "")


def partial(text: str) -> str:
    """A secret reduced to a hint: 'a...z', 'a***@example.org', '+*********78'."""
    if not text or _MASKED in text or text == "****":
        return text
    if "@" in text:
        local, _, domain = text.rpartition("@")
        return f"{local[:1]}***@{domain}"
    if _PHONE.fullmatch(text):
        digits = re.sub(r"\D", "", text)
        return ("+" if text.startswith("+") else "") + "*" * (len(digits) - 2) + digits[-2:]
    return "*" * len(text) if len(text) <= 2 else f"{text[0]}{_MASKED}{text[-1]}"


def _host(hostport: str) -> str:
    """A real host name or address stays (where it goes is no secret); a token does not."""
    if hostport.startswith("["):  # an IPv6 literal
        host, _, rest = hostport.partition("]")
        host, port = host + "]", rest.removeprefix(":")
    else:
        host, _, port = hostport.partition(":")
    if not port.isdigit():
        host, port = hostport, ""
    suffix = f":{port}" if port else ""
    if _is_address(host) or _HOSTNAME.fullmatch(host.lower()) or host.lower() == "localhost":
        return host + suffix
    return partial(unquote(host)) + suffix


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True

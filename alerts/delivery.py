"""One delivery attempt through apprise, with its outcome and reason.

apprise reports failure only by return value and log lines. One ``Apprise`` object per URL
makes each attempt's outcome unambiguous; apprise 2's per-call ``AppriseResult`` carries the
log lines of that call only, which (unlike ``apprise.LogCapture`` on the shared ``apprise``
logger) stays correct when several sender threads deliver at once.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass
from urllib.parse import urlsplit

import apprise

from alerts.masking import masked
from alerts.outbound import Outbound, guarding
from alerts.token import mask_tokens

# Schemes whose payload takes apprise's `:key=value` extras: the receiver gets the dedupe
# key as a field of its own, besides the reference line every channel shows.
_PAYLOAD_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls"})


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    masked_url: str
    detail: str
    elapsed_ms: float


def dedupe_ref(message_id: int) -> str:
    return f"veille-{message_id}"


def with_dedupe_key(url: str, ref: str) -> str:
    """Add the dedupe key as a payload field for webhook-like URLs; others are unchanged."""
    if urlsplit(url).scheme.lower() not in _PAYLOAD_SCHEMES:
        return url
    return _with_arg(url, f":veille_ref={ref}")


def with_timeouts(url: str, timeout_s: float) -> str:
    """Give apprise's connect and read timeouts (``cto``, ``rto``: 4 s each by default, which
    would cut a slower attempt) the configured value, unless the URL sets its own."""
    query = urlsplit(url).query
    for arg in ("cto", "rto"):
        if not any(part.split("=")[0].lower() == arg for part in query.split("&")):
            url = _with_arg(url, f"{arg}={timeout_s:g}")
    return url


def _with_arg(url: str, arg: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{arg}"


def warm_up() -> None:
    """Make apprise load its plugins now (it does so on first use, taking about 0.5 s)."""
    apprise.Apprise.instantiate("json://localhost")


def is_valid_url(url: str) -> bool:
    """True when apprise can build a service from `url` (checked before a URL is saved)."""
    return apprise.Apprise.instantiate(url) is not None


def deliver(
    url: str,
    title: str,
    body: str,
    notify_type: str,
    ref: str,
    timeout_s: float,
    outbound: Outbound | None = None,
) -> Outcome:
    """Send once to one URL, with the dedupe key `ref`; never raises for delivery problems.

    With `outbound`, every connection the plugin opens obeys those rules; apprise then runs
    the plugin in this thread (not its worker pool), where the rules are in force."""
    started = time.perf_counter()
    asset = apprise.AppriseAsset(async_mode=False)
    service = apprise.Apprise.instantiate(
        with_timeouts(with_dedupe_key(url, ref), timeout_s), asset=asset
    )
    if service is None:
        return Outcome(False, masked(url), "apprise cannot use this URL", 0.0)
    shown = masked(url)
    sender = apprise.Apprise(asset=asset)
    sender.add(service)
    refused: list[str] = []
    try:
        with guarding(outbound) if outbound is not None else nullcontext(refused) as refused:
            result = sender.notify(
                body=f"{body}\n\nRef: {ref}",
                title=title,
                notify_type=notify_type,
                timeout=timeout_s,
            )
    except Exception as exc:  # a plugin bug must cost one attempt, not the sender thread
        detail = mask_tokens(f"{type(exc).__name__}: {exc}")
        return Outcome(False, shown, detail, _ms_since(started))
    elapsed_ms = _ms_since(started)
    if refused:  # a redirect, or a name that now resolves inside: nothing was sent there
        return Outcome(False, shown, "refused: " + "; ".join(refused), elapsed_ms)
    # apprise's log lines may quote the payload, links and all: stored and logged masked.
    reasons = mask_tokens("; ".join(f"{e.level}: {e.message}" for e in result.logs()))
    detail = reasons or ("accepted" if result else f"failed ({result.status.name})")
    if not result and elapsed_ms >= timeout_s * 1000.0:
        # The receiver may still take it late: a resend elsewhere carries the same `ref`.
        detail = f"timeout after {timeout_s:g} s ({detail})"
    return Outcome(bool(result), shown, detail, elapsed_ms)


def _ms_since(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0

"""Signed, single-purpose, expiring action tokens for one-tap links.

A token names one action for one contact on one incident (or check-in), signed with
HMAC-SHA256 under the secret key, so a link works from a phone without logging in and
cannot be turned into another action, another incident or a later time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

ACTIONS = ("claim", "accept", "decline", "report")


class TokenError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ActionToken:
    action: str
    incident_id: int
    contact_id: int
    expires_at: int  # unix seconds
    checkin_id: int | None = None


def make_action_token(
    secret_key: str,
    action: str,
    incident_id: int,
    contact_id: int,
    now: datetime,
    ttl: timedelta,
    checkin_id: int | None = None,
) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if not secret_key:
        raise ValueError("a secret key is needed to sign action links")
    token = ActionToken(action, incident_id, contact_id, int((now + ttl).timestamp()), checkin_id)
    payload = _b64(json.dumps(asdict(token), separators=(",", ":")).encode())
    return f"{payload}.{_b64(_sign(secret_key, payload))}"


def verify_action_token(secret_key: str, token: str, now: datetime) -> ActionToken:
    """The token's content; TokenError if it is forged, altered, malformed or expired."""
    payload, _, signature = token.partition(".")
    if not payload or not signature or not secret_key:
        raise TokenError("malformed link")
    try:
        given = base64.urlsafe_b64decode(_pad(signature))
    except ValueError:
        raise TokenError("malformed link") from None
    if not hmac.compare_digest(given, _sign(secret_key, payload)):
        raise TokenError("this link is not valid")
    try:
        fields = json.loads(base64.urlsafe_b64decode(_pad(payload)))
        parsed = ActionToken(**fields)
    except (ValueError, TypeError):
        raise TokenError("malformed link") from None
    if parsed.action not in ACTIONS:
        raise TokenError("malformed link")
    if now.timestamp() >= parsed.expires_at:
        raise TokenError("this link has expired")
    return parsed


def action_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/a/{token}"


def _sign(secret_key: str, payload: str) -> bytes:
    return hmac.new(secret_key.encode(), payload.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _pad(text: str) -> bytes:
    return (text + "=" * (-len(text) % 4)).encode()

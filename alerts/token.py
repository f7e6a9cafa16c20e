"""Signed, single-purpose, expiring action tokens for one-tap links.

A token names one action for one contact on one incident (or check-in), signed with
HMAC-SHA256 under the secret key, so a link works from a phone without logging in and
cannot be turned into another action, another incident or a later time. Decoding is strict:
only canonical unpadded base64url of the exact sizes a genuine token has, so no two texts
name the same token and nothing odd reaches the JSON parser.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

ACTIONS = ("claim", "accept", "decline", "report", "visit")
MAX_TOKEN_CHARS = 400  # a genuine token is about 150; anything longer is not one of ours
_SIGNATURE_BYTES = hashlib.sha256().digest_size
_B64URL = re.compile(r"[A-Za-z0-9_-]+")
# Where a token appears in text (URLs, log lines, message bodies).
TOKEN_IN_TEXT = re.compile(r"(/a/)[A-Za-z0-9_.=%-]+")


class TokenError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ActionToken:
    action: str
    incident_id: int
    contact_id: int
    expires_at: int  # unix seconds
    checkin_id: int | None = None
    digest: bytes = b""  # identifies this very link (one use each); not part of the payload


_PAYLOAD_FIELDS = {f.name: f for f in fields(ActionToken) if f.name != "digest"}


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
    content = {k: v for k, v in asdict(token).items() if k in _PAYLOAD_FIELDS}
    payload = _b64(json.dumps(content, separators=(",", ":")).encode())
    return f"{payload}.{_b64(_sign(secret_key, payload))}"


def verify_action_token(secret_key: str, token: str, now: datetime) -> ActionToken:
    """The token's content; TokenError if it is forged, altered, malformed or expired."""
    if not secret_key or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        raise TokenError("malformed link")
    payload, signature = token.split(".")
    given = _strict_b64(signature)
    if len(given) != _SIGNATURE_BYTES:
        raise TokenError("malformed link")
    if not hmac.compare_digest(given, _sign(secret_key, payload)):
        raise TokenError("this link is not valid")
    parsed = _parse(_strict_b64(payload))
    if now.timestamp() >= parsed.expires_at:
        raise TokenError("this link has expired")
    return parsed


def action_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/a/{token}"


def mask_tokens(text: str) -> str:
    """`text` with every action token replaced, for logs and stored diagnostics."""
    return TOKEN_IN_TEXT.sub(r"\1<token>", text)


def _parse(raw: bytes) -> ActionToken:
    try:
        content = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise TokenError("malformed link") from None
    if not isinstance(content, dict) or set(content) != set(_PAYLOAD_FIELDS):
        raise TokenError("malformed link")
    for name in ("incident_id", "contact_id", "expires_at", "checkin_id"):
        value = content[name]
        if not (value is None and name == "checkin_id") and type(value) is not int:
            raise TokenError("malformed link")
    if content["action"] not in ACTIONS:
        raise TokenError("malformed link")
    return ActionToken(**content, digest=hashlib.sha256(raw).digest())


def _strict_b64(text: str) -> bytes:
    """Canonical unpadded base64url only: no '=', no other alphabet, no stray bits."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise TokenError("malformed link")
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise TokenError("malformed link") from None
    if _b64(raw) != text:
        raise TokenError("malformed link")
    return raw


def _sign(secret_key: str, payload: str) -> bytes:
    return hmac.new(secret_key.encode(), payload.encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest

from alerts.token import TokenError, make_action_token, mask_tokens, verify_action_token
from tests.alerts.conftest import SECRET, START

DAY = timedelta(hours=24)


def test_a_token_carries_one_action_for_one_contact_and_incident() -> None:
    token = make_action_token(SECRET, "accept", 7, 3, START, DAY, checkin_id=11)

    found = verify_action_token(SECRET, token, START + timedelta(hours=1))

    assert (found.action, found.incident_id, found.contact_id, found.checkin_id) == (
        "accept",
        7,
        3,
        11,
    )


def test_a_token_expires() -> None:
    token = make_action_token(SECRET, "claim", 7, 3, START, DAY)

    with pytest.raises(TokenError, match="expired"):
        verify_action_token(SECRET, token, START + DAY)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace(t[3], "A" if t[3] != "A" else "B", 1),  # payload changed
        lambda t: t[:-2] + ("AA" if t[-2:] != "AA" else "BB"),  # signature changed
        lambda t: t.split(".")[0],  # signature dropped
        lambda t: "garbage",
    ],
)
def test_an_altered_or_malformed_token_is_refused(tamper: object) -> None:
    token = make_action_token(SECRET, "claim", 7, 3, START, DAY)

    with pytest.raises(TokenError):
        verify_action_token(SECRET, tamper(token), START)  # type: ignore[operator]


def test_a_token_signed_with_another_key_is_refused() -> None:
    token = make_action_token("another key", "report", 7, 3, START, DAY)

    with pytest.raises(TokenError, match="not valid"):
        verify_action_token(SECRET, token, START)


def test_unknown_actions_cannot_be_signed() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        make_action_token(SECRET, "delete_everything", 7, 3, START, DAY)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda t: t + "=",  # padding
        lambda t: t.replace(".", "=.", 1),  # padding inside
        lambda t: t.replace(".", "..", 1),  # two separators
        lambda t: t[:-1] + "+",  # standard, not url-safe, alphabet
        lambda t: t[:-1] + "\u0661",  # a non-ASCII digit
        lambda t: t[:-1] + chr(ord(t[-1]) ^ 1),  # non-canonical trailing bits (or altered)
        lambda t: t + "AAAA",  # a signature of the wrong length
        lambda t: "A" * 5000,  # far too long
        lambda t: "A." + t.split(".")[1],  # a one-character payload (impossible length)
        lambda t: " " + t,
    ],
)
def test_decoding_is_strict_and_only_says_malformed_or_not_valid(spoil: object) -> None:
    token = make_action_token(SECRET, "claim", 7, 3, START, DAY)

    with pytest.raises(TokenError, match=r"malformed link|not valid"):
        verify_action_token(SECRET, spoil(token), START)  # type: ignore[operator]


def test_a_signed_payload_of_the_wrong_shape_is_malformed() -> None:
    def signed(content: object) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(content).encode()).rstrip(b"=").decode()
        mac = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).digest()
        return f"{payload}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    good = {"action": "claim", "incident_id": 7, "contact_id": 3, "expires_at": 2**40}
    for content in (
        [1, 2],
        {**good, "checkin_id": None, "extra": 1},
        {**good, "checkin_id": True},
        {**good, "incident_id": "7", "checkin_id": None},
    ):
        with pytest.raises(TokenError, match="malformed"):
            verify_action_token(SECRET, signed(content), START)
    assert verify_action_token(SECRET, signed({**good, "checkin_id": None}), START).incident_id == 7


def test_tokens_are_masked_in_text() -> None:
    token = make_action_token(SECRET, "claim", 7, 3, START, DAY)
    line = f'127.0.0.1:5 - "GET /a/{token} HTTP/1.1" 200'

    assert token not in mask_tokens(line)
    assert mask_tokens(line) == '127.0.0.1:5 - "GET /a/<token> HTTP/1.1" 200'

from __future__ import annotations

from datetime import timedelta

import pytest

from alerts.token import TokenError, make_action_token, verify_action_token
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

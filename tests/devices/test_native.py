from datetime import UTC, datetime

import pytest

from devices import native
from devices.signals import DecodeError, Signal


def test_native_payload_round_trips() -> None:
    at = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    payload = native.encode({Signal.MOTION: 1, Signal.BATTERY_PCT: 87}, at, "single")
    message = native.decode("veille", native.topic_for("veille", "h1", "pir"), payload)
    assert (message.home_id, message.device_id) == ("h1", "pir")
    assert {(r.signal, r.value, r.at, r.detail) for r in message.readings} == {
        (Signal.MOTION, 1.0, at, "single"),
        (Signal.BATTERY_PCT, 87.0, at, "single"),
    }


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        ("veille/v1/h1/pir", b"{not json", "malformed JSON"),
        ("veille/v1/h1/pir", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("veille/v1/h1/pir", b'{"signals": {"motion": "yes"}}', "finite number"),
        ("veille/v1/h1/pir", b'{"signals": {"smell": 1}}', "unknown signal"),
        ("veille/v1/h1/pir", b'{"signals": {"motion": 1}, "at": "2026-01-05T09:00"}', "offset"),
        ("veille/v1/h 1/pir", b'{"signals": {"motion": 1}}', "invalid home"),
        ("veille/v2/h1/pir", b'{"signals": {"motion": 1}}', "topic"),
        ("veille/v1/h1/pir/availability", b"maybe", "online or offline"),
    ],
)
def test_bad_native_messages_say_what_is_wrong(topic: str, payload: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        native.decode("veille", topic, payload)

"""Field parsing shared by the ecosystem codecs: a wrong type is a `DecodeError`, never a
guess (a NaN or a word would otherwise slip into the time series). A string that holds a
plain decimal number is that number: old Zigbee2MQTT converters sent ``"battery": "100.00"``
and ESPHome and Homie send every value as text."""

from __future__ import annotations

import json
import re
from typing import Any

from devices.signals import DecodeError

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"
# Plain decimals only: no "nan", "inf", "1e400", "0x10" or "1_000", which float() accepts.
_DECIMAL = re.compile(r"-?\d{1,15}(\.\d{1,15})?")


def json_object(payload: bytes, what: str = "payload") -> dict[str, Any]:
    # raw_decode on the UTF-8 text is about three times faster than json.loads(bytes), which
    # sniffs the encoding and runs two whitespace regexes: this runs once per message.
    try:
        text = payload.decode()
        if text[:1] in _WHITESPACE:
            text = text.lstrip(_WHITESPACE)
        body, end = _DECODER.raw_decode(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DecodeError(f"malformed JSON: {exc}") from None
    except RecursionError:  # a small payload can nest deeper than the parser's stack
        raise DecodeError("JSON nested too deeply") from None
    if end != len(text) and text[end:].strip(_WHITESPACE):
        raise DecodeError(f"malformed JSON: extra data at character {end}")
    if not isinstance(body, dict):
        raise DecodeError(f"{what} must be a JSON object")
    return body


def number(key: str, value: object) -> float:
    """A finite JSON number or decimal string (booleans refused: an int subclass in Python)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
        return float(value)
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        return float(value)
    raise DecodeError(f"{key!r} must be a number, got {value!r:.40}")


def flag(key: str, value: object) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    raise DecodeError(f"{key!r} must be true or false, got {value!r:.40}")

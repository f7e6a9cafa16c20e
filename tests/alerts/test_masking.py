"""Masking hides every secret part of an apprise URL, table-style as apprise tests its
plugins: each case lists what must not show, and what still may (where it goes)."""

from __future__ import annotations

import pytest

from alerts.masking import masked

CASES = [
    # (url, secrets that must not appear, what stays visible)
    ("json://user:hunter2@hook.example.org/path/s3cr3tpath?+X-Api-Key=hdrs3cret",
     ["hunter2", "s3cr3tpath", "hdrs3cret", "user"], ["hook.example.org", "X-Api-Key"]),
    ("jsons://hook.example.org:8443/T0KEN9876/path?-field=payloads3cret&:extra=x7y8z9",
     ["T0KEN9876", "payloads3cret", "x7y8z9"], ["hook.example.org:8443"]),
    ("form://hooks.example.org/abc?token=querys3cret", ["querys3cret"], ["hooks.example.org"]),
    ("ntfy://mamiejeanneprivate", ["mamiejeanneprivate"], ["ntfys://"]),
    ("ntfys://anna:pw1234@ntfy.example.org/privatetopic", ["privatetopic", "pw1234"],
     ["ntfy.example.org"]),
    ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/987654321",
     ["123456789", "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "987654321"], ["tgram://"]),
    ("signal://signal.example.org:8080/+33612345678/+33698765432",
     ["33612345678", "33698765432", "612345"], ["signal.example.org:8080", "78", "32"]),
    ("mailtos://anna:pw@example.org?to=claire.martin@example.org&from=veille@example.org",
     ["claire.martin", "claire", "pw@", ":pw"], ["c***@example.org"]),
    ("sns://AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMIK7MDENG/us-west-2/+15551234567",
     ["AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMIK7MDENG", "5551234567"], ["sns://"]),
    ("discord://1234567890/webhooktokenABC", ["1234567890", "webhooktokenABC"], []),
]  # fmt: skip


@pytest.mark.parametrize(("url", "hidden", "shown"), CASES)
def test_every_secret_part_of_an_apprise_url_is_masked(
    url: str, hidden: list[str], shown: list[str]
) -> None:
    text = masked(url)

    for secret in hidden:
        assert secret not in text, f"{secret!r} shows in {text}"
    for visible in shown:
        assert visible in text


def test_an_unusable_url_shows_only_its_scheme() -> None:
    assert masked("nosuchscheme://secret@host/x") == "nosuchscheme://(invalid)"

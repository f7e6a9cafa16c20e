"""Apprise URLs sealed at rest: Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`).

An apprise URL is a credential (a bot token, an SMTP password, a private ntfy topic, a phone
number), so it is stored and queued only sealed, and opened only by the sender at the moment
of delivery and by the masking that shows it. The Fernet key is derived with HKDF from
the data key in the settings, so any long random string serves as that key.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PURPOSE = b"veille apprise urls v1"  # a new purpose string is a new key: rotation by version
SEALED_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte, then the time)


class VaultError(ValueError):
    pass


class Vault:
    def __init__(self, data_key: str) -> None:
        if not data_key:
            raise VaultError("a data key is needed to seal apprise URLs (VEILLE_DATA_KEY)")
        derived = HKDF(hashes.SHA256(), 32, salt=None, info=_PURPOSE).derive(data_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, url: str) -> str:
        return self._fernet.encrypt(url.encode()).decode()

    def seal_all(self, urls: list[str]) -> list[str]:
        return [self.seal(u) for u in urls]

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError):
            raise VaultError(
                "cannot open a sealed apprise URL (another VEILLE_DATA_KEY?)"
            ) from None

"""Secrets handed to people: passwords (argon2id), and random tokens of which only a
SHA-256 is stored (session ids, bearer tokens, sign-in links: long and random, so a fast
hash is enough; a slow one would only slow every request)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()  # argon2id, the library's current recommended parameters
# Verified against when the account does not exist, so that timing does not tell.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256  # argon2 hashes all of it: bound the work one request can ask
TOKEN_BYTES = 32
BEARER_PREFIX = "vt_"  # tells a leaked token apart in logs and secret scanners


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(hashed: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(hashed or _DUMMY_HASH, password) and hashed is not None
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "replace")).digest()

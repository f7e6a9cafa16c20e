"""MQTT accounts for Mosquitto: who may connect, and which topics each may touch.

One account per client. Its username is also its client id (the broker runs with
`use_username_as_clientid`), so ingest's persistent session can be taken only with ingest's
password. The account list is `accounts.json` in the auth dir; from it are written the
`passwd` file (Mosquitto's PBKDF2-SHA512 `$7$` hashes, as `mosquitto_passwd` writes them)
and the `acl` file. A home's clients publish only under that home's namespace and read only
there; ingest reads everything and publishes nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import signal
from dataclasses import asdict, dataclass
from pathlib import Path

INGEST = "ingest"
# The demo's simulated homes, in every format at the gateways' default topics: writes
# anything, reads nothing. Only `veille up` creates it, with a password kept in memory.
SIMULATOR = "simulator"
GATEWAYS = ("zigbee2mqtt", "shelly", "tasmota", "esphome", "native")
# mosquitto_passwd's own choices for `$7$` hashes (Mosquitto 2.0).
_PBKDF2_ITERATIONS = 101
_SALT_BYTES = 12
# Home ids become topic levels and file lines: nothing that could widen a pattern.
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class AccountError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Account:
    username: str
    role: str  # INGEST, SIMULATOR, or a gateway of GATEWAYS
    home_id: str = ""


def home_namespace(prefix: str, home_id: str) -> str:
    """Where a home's gateways publish: `<prefix>/<home>/...` (native devices use
    `<prefix>/v1/<home>/...`)."""
    return f"{prefix}/{home_id}"


def native_namespace(prefix: str, home_id: str) -> str:
    return f"{prefix}/v1/{home_id}"


def mosquitto_hash(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(_SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, _PBKDF2_ITERATIONS)
    b64 = base64.b64encode
    return f"$7${_PBKDF2_ITERATIONS}${b64(salt).decode()}${b64(digest).decode()}"


def acl_lines(account: Account, prefix: str) -> list[str]:
    lines = [f"user {account.username}"]
    if account.role == INGEST:
        lines.append("topic read #")
    elif account.role == SIMULATOR:
        lines.append("topic write #")
    else:
        lines += [
            f"topic readwrite {home_namespace(prefix, account.home_id)}/#",
            f"topic write {native_namespace(prefix, account.home_id)}/#",
        ]
    return [*lines, ""]


class AccountBook:
    """The auth dir: `accounts.json`, and the `passwd` and `acl` files Mosquitto reads."""

    def __init__(self, auth_dir: Path, prefix: str = "veille") -> None:
        self.dir = Path(auth_dir)
        self.prefix = prefix
        self.passwd_path = self.dir / "passwd"
        self.acl_path = self.dir / "acl"
        self.pid_path = self.dir / "mosquitto.pid"
        self._accounts_path = self.dir / "accounts.json"

    def accounts(self) -> list[Account]:
        if not self._accounts_path.exists():
            return []
        raw = json.loads(self._accounts_path.read_text())
        return [Account(a["username"], a["role"], a["home_id"]) for a in raw["accounts"]]

    def hashes(self) -> dict[str, str]:
        if not self.passwd_path.exists():
            return {}
        pairs = (line.split(":", 1) for line in self.passwd_path.read_text().splitlines())
        return {user: digest for user, digest in pairs}

    def add(self, role: str, home_id: str = "", username: str = "") -> tuple[Account, str]:
        """A new account with a fresh password (returned once, never stored in clear)."""
        if role not in (INGEST, SIMULATOR, *GATEWAYS):
            raise AccountError(f"unknown role {role!r}")
        if role in GATEWAYS and not _SAFE_ID.fullmatch(home_id):
            raise AccountError(f"home id {home_id!r}: letters, digits, '-' and '_' only")
        if home_id == "v1":
            raise AccountError("home id 'v1' would overlap the native topic scheme")
        username = username or (
            f"{home_id}-{role}-{secrets.token_hex(3)}" if home_id else f"veille-{role}"
        )
        if not _SAFE_ID.fullmatch(username):
            raise AccountError(f"username {username!r}: letters, digits, '-' and '_' only")
        password = secrets.token_urlsafe(24)
        account = Account(username, role, home_id)
        accounts = [a for a in self.accounts() if a.username != username] + [account]
        hashes = self.hashes()
        hashes[username] = mosquitto_hash(password)
        self._write(accounts, hashes)
        return account, password

    def _write(self, accounts: list[Account], hashes: dict[str, str]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o700)
        _write_private(
            self._accounts_path, json.dumps({"accounts": [asdict(a) for a in accounts]}, indent=1)
        )
        _write_private(self.passwd_path, "".join(f"{u}:{h}\n" for u, h in hashes.items()))
        acl = [line for a in accounts for line in acl_lines(a, self.prefix)]
        _write_private(self.acl_path, "\n".join(["# Written by veille; edits are lost.", *acl]))

    def reload_broker(self) -> bool:
        """SIGHUP the Mosquitto that writes its pid here: it rereads passwd and acl."""
        try:
            pid = int(self.pid_path.read_text().strip())
            os.kill(pid, signal.SIGHUP)
        except (OSError, ValueError):
            return False
        return True


def _write_private(path: Path, text: str) -> None:
    # Written whole then renamed: Mosquitto reloading midway never reads half a file.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.chmod(0o600)
    tmp.replace(path)

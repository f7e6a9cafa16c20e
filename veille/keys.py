"""Keys the services share, kept in the data dir when the settings give none."""

from __future__ import annotations

import secrets
from pathlib import Path

from veille.settings import Settings


def secret_key(data_dir: Path) -> str:
    """A key kept in the data dir, so action links stay valid across restarts."""
    return _kept_key(data_dir / "secret_key")


def data_key(settings: Settings) -> str:
    """VEILLE_DATA_KEY, else a key kept in the data dir (sealed URLs outlive restarts)."""
    if settings.data_key:
        return settings.data_key
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return _kept_key(settings.data_dir / "data_key")


def _kept_key(path: Path) -> str:
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()

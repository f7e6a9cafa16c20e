"""A home's data export as its people may read it: sealed URLs shown masked, no live link.

`storage.home_data` gathers the rows; this decides how the sensitive columns appear. An
export goes to a person (the resident, a family manager), so an apprise URL appears as its
masked form and every one-tap link in a message body as ``/a/<token>``.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO

import psycopg

from alerts.masking import masked_sealed
from alerts.token import mask_tokens
from alerts.vault import Vault
from storage import home_data

# Columns holding sealed apprise URLs.
SEALED_COLUMNS = frozenset({("contacts", "apprise_urls"), ("alert_outbox", "urls")})


def export_home(
    conn: psycopg.Connection[tuple[object, ...]],
    home_id: str,
    out: IO[bytes],
    now: datetime,
    vault: Vault,
) -> home_data.Exported:
    def view(table: str, column: str, value: object) -> object:
        if (table, column) in SEALED_COLUMNS and isinstance(value, list):
            return [masked_sealed(vault, str(u)) for u in value]
        return mask_tokens(value) if isinstance(value, str) else value

    return home_data.export_home(conn, home_id, out, now, view)

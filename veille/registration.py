"""Register a home described as data (a simulated layout) in storage."""

from __future__ import annotations

import psycopg

from devices.signals import DeviceKind, Role, Room
from simulators.layout import HomeLayout
from storage import homes


def register_layout(conn: psycopg.Connection[tuple[object, ...]], layout: HomeLayout) -> None:
    homes.upsert_home(conn, layout.home_id, layout.timezone, layout.name)
    for d in layout.devices:
        homes.upsert_device(
            conn, layout.home_id, d.id, DeviceKind(d.kind), Room(d.room), Role(d.role),
            model=d.model,
        )  # fmt: skip

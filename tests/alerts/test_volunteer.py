from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from alerts.volunteer import choose, distance_km
from storage.contacts import Contact

HOME_AT = (45.7640, 4.8357)
NOON = datetime(2026, 1, 5, 12, 0, tzinfo=ZoneInfo("Europe/Paris"))  # home-local


def _volunteer(cid: int, lat: float | None, lon: float | None, **extra: object) -> Contact:
    fields: dict[str, object] = {"vetted": True, "latitude": lat, "longitude": lon, **extra}
    return Contact(cid, "h1", f"v{cid}", "volunteer", [f"json://localhost/{cid}"], **fields)  # type: ignore[arg-type]


def test_distance_is_great_circle_kilometres() -> None:
    # Lyon to Paris, about 392 km.
    assert distance_km(45.7640, 4.8357, 48.8566, 2.3522) == pytest.approx(392, abs=3)


def test_the_nearest_k_eligible_volunteers_are_chosen_nearest_first() -> None:
    volunteers = [
        _volunteer(1, 45.80, 4.8357),  # 4 km
        _volunteer(2, 45.7650, 4.8357),  # 0.1 km
        _volunteer(3, 45.7700, 4.8357, vetted=False),
        _volunteer(4, 45.7660, 4.8357, max_distance_km=0.1),  # 0.2 km: too far for them
        _volunteer(5, 45.7645, 4.8357, available_hours="18:00-22:00"),  # not now
        _volunteer(6, None, None),  # distance unknown: after those known to be in range
        _volunteer(7, 45.7680, 4.8357),  # 0.4 km
    ]

    chosen = choose(volunteers, HOME_AT, NOON, k=3)

    assert [c.contact.id for c in chosen] == [2, 7, 1]
    assert [c.contact.id for c in choose(volunteers, HOME_AT, NOON, k=10)] == [2, 7, 1, 6]


def test_without_a_home_location_volunteers_are_asked_in_listed_order() -> None:
    volunteers = [_volunteer(1, 45.8, 4.8, position=2), _volunteer(2, 45.9, 4.9, position=1)]

    assert [c.contact.id for c in choose(volunteers, None, NOON, k=2)] == [2, 1]

"""The real homes under ``../shared/data``: which parser reads which files, and their maps."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from devices.datasets.aras import parse_aras
from devices.datasets.casas import parse_casas
from devices.datasets.kasteren import parse_kasteren_tl, parse_kasteren_ubicomp
from devices.datasets.record import ParseResult, Record, merge
from devices.datasets.sensor_map import SensorMap, load_map

# The repository sits next to ``shared/`` (…/main and …/shared); the data are never copied in.
DEFAULT_DATA_ROOT = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _tl(house: str) -> Callable[[Path], ParseResult]:
    def parse(root: Path) -> ParseResult:
        folder = root / "kasteren" / "tl-benchmark"
        return parse_kasteren_tl(
            folder / f"house{house}.sensors", folder / f"house{house}.sensor_names"
        )

    return parse


def _casas_tm000(root: Path) -> ParseResult:
    folder = root / "casas-cil-tm000"
    return merge([parse_casas(path) for path in sorted(folder.glob("tm000.*.txt"))])


HOMES: dict[str, Callable[[Path], ParseResult]] = {
    "casas-al-smarthome": lambda root: parse_casas(root / "casas-al-smarthome" / "data.txt"),
    "casas-cil-tm000": _casas_tm000,
    "kasteren-a": lambda root: parse_kasteren_ubicomp(
        root / "kasteren" / "houseA-ubicomp2008" / "kasterenSenseData.txt"
    ),
    "kasteren-b": _tl("B"),
    "kasteren-c": _tl("C"),
    "aras-a": lambda root: parse_aras(root / "aras" / "houseA"),
    "aras-b": lambda root: parse_aras(root / "aras" / "houseB"),
}


def parse_home(name: str, data_root: Path = DEFAULT_DATA_ROOT) -> ParseResult:
    try:
        parser = HOMES[name]
    except KeyError:
        raise KeyError(f"unknown dataset home {name!r}; known: {sorted(HOMES)}") from None
    return parser(data_root)


def load_home(name: str, data_root: Path = DEFAULT_DATA_ROOT) -> tuple[list[Record], SensorMap]:
    """Records (naive local time, time-ordered) and the sensor map of one real home."""
    return parse_home(name, data_root).records, load_map(name)

"""Parsers for public smart-home datasets and the sensor maps that say what each sensor is.

Shared by the simulator's replay and the detector's offline backtest. Parsing only: a file
becomes time-ordered `Record`s plus counts of skipped lines by reason.
"""

from devices.datasets.aras import ARAS_DAY_1, parse_aras
from devices.datasets.casas import parse_casas
from devices.datasets.home import DEFAULT_DATA_ROOT, HOMES, load_home, parse_home
from devices.datasets.jsonl import parse_jsonl
from devices.datasets.kasteren import parse_kasteren_tl, parse_kasteren_ubicomp
from devices.datasets.record import ParseResult, Record
from devices.datasets.sensor_map import SensorInfo, SensorMap, SensorMapError, load_map

__all__ = [
    "ARAS_DAY_1",
    "DEFAULT_DATA_ROOT",
    "HOMES",
    "ParseResult",
    "Record",
    "SensorInfo",
    "SensorMap",
    "SensorMapError",
    "load_home",
    "load_map",
    "parse_aras",
    "parse_casas",
    "parse_home",
    "parse_jsonl",
    "parse_kasteren_tl",
    "parse_kasteren_ubicomp",
]

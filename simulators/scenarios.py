"""The scenario catalogue, cue parsing, and named scenario files.

A cue is ``NAME[@WHEN][:ROOM][,key=value...]``: WHEN is ISO 8601 (naive = the home's local
time) or an offset after the live start (``+30m``, ``+2h``, ``+1d``; default ``+1h``).
A named file ``simulators/scenarios/<name>.json`` holds a list of cues with a description.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.signals import Room
from simulators import device_scenarios as dev
from simulators import life_scenarios as life
from simulators.scenario import Effects, ScenarioDef, ScenarioError, ScenarioSpec, parse_duration

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"
NO_INCIDENT = "no incident"

SCENARIOS: dict[str, ScenarioDef] = {
    "fall": ScenarioDef(
        "lies still from WHEN (in ROOM if given); devices keep reporting liveness",
        "inactivity incident",
        life.fall,
    ),
    "not_getting_up": ScenarioDef(
        "stays in bed the first morning after WHEN", "inactivity incident", life.not_getting_up
    ),
    "long_bathroom_stay": ScenarioDef(
        "stays in the bathroom from WHEN, barely moving",
        "long bathroom stay alert",
        life.long_bathroom_stay,
        "for=3h",
    ),
    "night_wandering": ScenarioDef(
        "leaves by the front door at WHEN and does not come back",
        "night exit alert",
        life.night_wandering,
    ),
    "not_coming_home": ScenarioDef(
        "the first outing after WHEN never ends; truth begins at the usual return",
        "not back home alert",
        life.not_coming_home,
    ),
    "holiday": ScenarioDef(
        "away from WHEN, then life resumes", NO_INCIDENT, life.holiday, "for=7d"
    ),
    "slow_decline": ScenarioDef(
        "from WHEN, over weeks: later rising, more night trips, fewer kitchen visits and outings",
        "routine drift flagged",
        life.slow_decline,
        "weeks=6",
    ),
    "night_trips_up": ScenarioDef(
        "from WHEN, for a while, twice the night bathroom trips (an infection's first sign)",
        "routine change flagged",
        life.night_trips_up,
        "times=2,for=14d",
    ),
    "panic_press": ScenarioDef(
        "the resident presses the panic button (wearable or wall) at WHEN",
        "critical alert at once",
        dev.panic_press,
        "device=panic-button",
    ),
    "heating_failure": ScenarioDef(
        "heating stops at WHEN: indoor temperature falls towards outdoors",
        "cold home alert",
        dev.heating_failure,
        "outdoor_c=5,tau_h=10",
    ),
    "battery_dying": ScenarioDef(
        "a device's battery runs down from WHEN, then it goes silent",
        "low battery warning, then device silent",
        dev.battery_dying,
        "device=hall-pir,for=48h",
    ),
    "device_offline": ScenarioDef(
        "a device stops reporting at WHEN (availability offline after the bridge's timeout)",
        "device offline warning, no inactivity incident",
        dev.device_offline,
        "device=kitchen-pir,for=...",
    ),
    "hub_offline": ScenarioDef(
        "the whole hub or bridge goes offline at WHEN: nothing from the home",
        "hub offline warning, no inactivity incident",
        dev.hub_offline,
        "for=2h",
    ),
    "network_flapping": ScenarioDef(
        "the hub's link drops every period; reports made while down arrive late",
        "no incident, no duplicates",
        dev.network_flapping,
        "for=1h,period=6m",
    ),
    "clock_late": ScenarioDef(
        "a device's clock runs late from WHEN: payload times lag the truth",
        "events stored at their true time",
        dev.clock_late,
        "device=living-pir,by=10m",
    ),
    "garbage": ScenarioDef(
        "malformed payloads from WHEN on random devices",
        "dead-lettered, nothing breaks",
        dev.garbage,
        "count=12,for=1h",
    ),
}


def apply_scenarios(specs: tuple[ScenarioSpec, ...], effects: Effects) -> Effects:
    for spec in specs:
        defn = SCENARIOS[spec.name]
        defn.apply(spec, effects, effects.recorder(spec.name, defn.expect))
    return effects


def named_files() -> dict[str, Path]:
    return {path.stem: path for path in sorted(SCENARIO_DIR.glob("*.json"))}


def load_named(name_or_path: str) -> tuple[str, list[str]]:
    """(description, cues) of a named scenario file or of a path to one."""
    path = named_files().get(name_or_path) or Path(name_or_path)
    try:
        body: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScenarioError(f"cannot read scenario file {name_or_path!r}: {exc}") from None
    cues = body.get("cues") if isinstance(body, dict) else None
    if not isinstance(cues, list) or not all(isinstance(c, str) for c in cues):
        raise ScenarioError(f"{path}: needs a 'cues' list of strings")
    return str(body.get("description", "")), cues


def expand(cues: tuple[str, ...]) -> list[str]:
    """Replace named scenario files (and paths to ``.json`` files) by the cues they hold."""
    expanded: list[str] = []
    for cue in cues:
        if cue in named_files() or cue.endswith(".json"):
            expanded += load_named(cue)[1]
        else:
            expanded.append(cue)
    return expanded


def parse_cue(text: str, live_start: datetime, zone: Any) -> ScenarioSpec:
    head, *pairs = text.split(",")
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ScenarioError(f"bad option {pair!r} in {text!r}: use key=value")
        options[key.strip()] = value.strip()
    # An ISO time contains colons itself: a room, if any, follows the last one and is a word.
    before, _, tail = head.rpartition(":")
    cue, room_text = (before, tail) if before and tail.isalpha() else (head, "")
    name, _, when = cue.partition("@")
    if name not in SCENARIOS:
        raise ScenarioError(f"unknown scenario {name!r}; known: {', '.join(sorted(SCENARIOS))}")
    at = _when(when or "+1h", live_start, zone)
    try:
        room = Room(room_text) if room_text else None
    except ValueError:
        raise ScenarioError(f"unknown room {room_text!r}") from None
    return ScenarioSpec(name, at.astimezone(UTC), room, options)


def _when(text: str, live_start: datetime, zone: Any) -> datetime:
    if text.startswith("+"):
        return live_start + parse_duration(text[1:])
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ScenarioError(f"bad time {text!r}: use ISO 8601 or +2h") from None
    return at if at.tzinfo else at.replace(tzinfo=zone)

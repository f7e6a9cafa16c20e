"""MQTT topic names and filters: validation, wildcard matching, shared subscriptions."""

from __future__ import annotations

SHARE_PREFIX = "$share/"


def valid_topic(topic: str) -> bool:
    """A topic a client may publish to: non-empty, no wildcards, no NUL."""
    return bool(topic) and not any(c in topic for c in "+#\x00")


def valid_filter(topic_filter: str) -> bool:
    """`+` must fill a whole level; `#` must fill the last level (MQTT 3.1.1 §4.7.1)."""
    if not topic_filter or "\x00" in topic_filter:
        return False
    levels = topic_filter.split("/")
    for i, level in enumerate(levels):
        if "#" in level and (level != "#" or i != len(levels) - 1):
            return False
        if "+" in level and level != "+":
            return False
    return True


def split_shared(topic_filter: str) -> tuple[str, str] | None:
    """`$share/<group>/<filter>` -> (group, filter); None for an ordinary filter.

    Raises ValueError for a malformed shared subscription (empty group, wildcard in the
    group name, or an invalid inner filter), which the broker answers with a SUBACK failure.
    """
    if not topic_filter.startswith(SHARE_PREFIX):
        return None
    group, sep, inner = topic_filter[len(SHARE_PREFIX) :].partition("/")
    if not sep or not group or any(c in group for c in "+#") or not valid_filter(inner):
        raise ValueError(f"malformed shared subscription {topic_filter!r}")
    return group, inner


def matches(topic_filter: str, topic: str) -> bool:
    """Does `topic` match `topic_filter`? Wildcards never match topics starting with `$`."""
    if topic.startswith("$") and topic_filter[:1] in ("+", "#"):
        return False
    filter_levels = topic_filter.split("/")
    topic_levels = topic.split("/")
    for i, level in enumerate(filter_levels):
        if level == "#":
            # "a/#" also matches the parent level "a" (§4.7.1.2).
            return True
        if i >= len(topic_levels):
            return False
        if level != "+" and level != topic_levels[i]:
            return False
    return len(filter_levels) == len(topic_levels)

"""Who receives a message: sessions, subscriptions, shared groups and retained messages.

Pure bookkeeping with no I/O, so the broker's routing rules can be read in one place:

- a client whose filters overlap receives one copy, at the highest granted QoS;
- QoS is capped at 1 everywhere (the broker completes inbound QoS 2 handshakes but never
  sends QoS 2), so a SUBSCRIBE asking for QoS 2 is granted QoS 1;
- `$share/<group>/<filter>` delivers each message to one member of the group, in turn,
  preferring connected members; an offline member with a persistent session gets it queued
  only when no member is connected;
- retained messages go to new subscriptions (not to shared ones, as in MQTT 5) with the
  retain flag set; an empty retained payload clears the topic.
"""

from __future__ import annotations

from veille.mqtt_packets import SUBACK_FAILURE
from veille.mqtt_session import Message, Session
from veille.mqtt_topics import matches, split_shared, valid_filter

MAX_QOS = 1
_CACHE_LIMIT = 10_000


class SharedGroup:
    def __init__(self) -> None:
        self.members: dict[str, int] = {}  # client id -> granted QoS, in joining order
        self._turn = 0

    def pick(self, sessions: dict[str, Session]) -> tuple[Session, int] | None:
        ids = list(self.members)
        if not ids:
            return None
        start = self._turn % len(ids)
        order = ids[start:] + ids[:start]
        chosen = next((i for i in order if sessions[i].connected), order[0])
        self._turn = ids.index(chosen) + 1
        return sessions[chosen], self.members[chosen]


class Router:
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self.retained: dict[str, Message] = {}
        self._plain: dict[str, dict[str, int]] = {}  # filter -> {client id: QoS}
        self._shared: dict[tuple[str, str], SharedGroup] = {}  # (group, filter) -> group
        # topic -> matching plain filters and shared keys; most homes publish on a few
        # hundred topics, so caching the wildcard walk pays for itself quickly.
        self._cache: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}

    def subscribe(self, session: Session, topic_filter: str, requested_qos: int) -> int:
        """Add or replace a subscription; return the granted QoS or SUBACK_FAILURE."""
        try:
            shared = split_shared(topic_filter)
        except ValueError:
            return SUBACK_FAILURE
        if shared is None and not valid_filter(topic_filter):
            return SUBACK_FAILURE
        granted = min(requested_qos, MAX_QOS)
        session.subscriptions[topic_filter] = granted
        cid = session.client_id
        if shared is not None:
            self._shared.setdefault(shared, SharedGroup()).members[cid] = granted
        else:
            self._plain.setdefault(topic_filter, {})[cid] = granted
            for topic, message in self.retained.items():
                if matches(topic_filter, topic):
                    session.offer(message, min(message.qos, granted), retain=True)
        self._cache.clear()
        return granted

    def unsubscribe(self, session: Session, topic_filter: str) -> None:
        if session.subscriptions.pop(topic_filter, None) is None:
            return
        cid = session.client_id
        shared = split_shared(topic_filter)
        if shared is not None:
            group = self._shared[shared]
            group.members.pop(cid, None)
            if not group.members:
                del self._shared[shared]
        else:
            subscribers = self._plain[topic_filter]
            subscribers.pop(cid, None)
            if not subscribers:
                del self._plain[topic_filter]
        self._cache.clear()

    def remove_session(self, session: Session) -> None:
        for topic_filter in list(session.subscriptions):
            self.unsubscribe(session, topic_filter)
        if self.sessions.get(session.client_id) is session:
            del self.sessions[session.client_id]

    def route(self, message: Message) -> None:
        if message.retain:
            if message.payload:
                self.retained[message.topic] = message
            else:
                self.retained.pop(message.topic, None)
        plain, shared = self._matching(message.topic)
        best: dict[str, int] = {}
        for topic_filter in plain:
            for cid, qos in self._plain[topic_filter].items():
                best[cid] = max(best.get(cid, 0), qos)
        for cid, qos in best.items():
            # Retain is cleared for established subscriptions (MQTT 3.1.1 §3.3.1.3).
            self.sessions[cid].offer(message, min(qos, message.qos), retain=False)
        for key in shared:
            picked = self._shared[key].pick(self.sessions)
            if picked is not None:
                session, qos = picked
                session.offer(message, min(qos, message.qos), retain=False)

    def _matching(self, topic: str) -> tuple[list[str], list[tuple[str, str]]]:
        hit = self._cache.get(topic)
        if hit is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            hit = (
                [f for f in self._plain if matches(f, topic)],
                [k for k in self._shared if matches(k[1], topic)],
            )
            self._cache[topic] = hit
        return hit

"""Who receives a message: sessions, subscriptions, shared groups and retained messages.

Pure bookkeeping with no I/O, so the broker's routing rules can be read in one place:

- a client whose filters overlap receives one copy, at the highest granted QoS;
- MQTT 5 subscription options: No Local (not on one's own messages), Retain As Published
  (keep the retain flag on live messages), Retain Handling (retained messages on every
  subscribe, only on a new one, or never);
- QoS is capped at 1 everywhere (the broker completes inbound QoS 2 handshakes but never
  sends QoS 2), so a SUBSCRIBE asking for QoS 2 is granted QoS 1;
- `$share/<group>/<filter>` delivers each message to one member of the group, in turn,
  preferring connected members; an offline member with a persistent session gets it queued
  only when no member is connected;
- retained messages go to new subscriptions (not to shared ones, as in MQTT 5) with the
  retain flag set; an empty retained payload clears the topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from broker.codec import ProtocolError
from broker.packets import TOPIC_FILTER_INVALID, SubscribeRequest
from broker.session import Message, Session
from broker.topics import matches, split_shared, valid_filter

MAX_QOS = 1
_CACHE_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class Subscription:
    qos: int
    no_local: bool = False
    retain_as_published: bool = False


class SharedGroup:
    def __init__(self) -> None:
        self.members: dict[str, Subscription] = {}  # client id -> options, in joining order
        self._turn = 0

    def pick(self, sessions: dict[str, Session]) -> tuple[Session, Subscription] | None:
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
        self._plain: dict[str, dict[str, Subscription]] = {}  # filter -> {client id: ...}
        self._shared: dict[tuple[str, str], SharedGroup] = {}  # (group, filter) -> group
        # topic -> matching plain filters and shared keys; most homes publish on a few
        # hundred topics, so caching the wildcard walk pays for itself quickly.
        self._cache: dict[str, tuple[list[str], list[tuple[str, str]]]] = {}

    def subscribe(self, session: Session, request: SubscribeRequest) -> int:
        """Add or replace a subscription; return the granted QoS or TOPIC_FILTER_INVALID."""
        topic_filter = request.topic_filter
        try:
            shared = split_shared(topic_filter)
        except ValueError:
            return TOPIC_FILTER_INVALID
        if shared is None and not valid_filter(topic_filter):
            return TOPIC_FILTER_INVALID
        if shared is not None and request.no_local:
            raise ProtocolError("No Local on a shared subscription (MQTT 5 §3.8.3.1)")
        granted = min(request.qos, MAX_QOS)
        existed = topic_filter in session.subscriptions
        session.subscriptions[topic_filter] = granted
        options = Subscription(granted, request.no_local, request.retain_as_published)
        cid = session.client_id
        if shared is not None:
            self._shared.setdefault(shared, SharedGroup()).members[cid] = options
        else:
            self._plain.setdefault(topic_filter, {})[cid] = options
            if request.retain_handling == 0 or (request.retain_handling == 1 and not existed):
                for topic, message in self.retained.items():
                    if matches(topic_filter, topic):
                        session.offer(message, min(message.qos, granted), retain=True)
        self._cache.clear()
        return granted

    def unsubscribe(self, session: Session, topic_filter: str) -> bool:
        """Remove a subscription; return whether there was one."""
        if session.subscriptions.pop(topic_filter, None) is None:
            return False
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
        return True

    def remove_session(self, session: Session) -> None:
        for topic_filter in list(session.subscriptions):
            self.unsubscribe(session, topic_filter)
        if self.sessions.get(session.client_id) is session:
            del self.sessions[session.client_id]

    def route(self, message: Message) -> int:
        """Offer a message to every subscriber; return how many sessions it was offered to."""
        if message.retain:
            if message.payload:
                self.retained[message.topic] = message
            else:
                self.retained.pop(message.topic, None)
        plain, shared = self._matching(message.topic)
        best: dict[str, tuple[int, bool]] = {}  # client id -> (QoS, keep retain flag)
        for topic_filter in plain:
            for cid, sub in self._plain[topic_filter].items():
                if sub.no_local and cid == message.origin:
                    continue
                qos, keep = best.get(cid, (0, False))
                best[cid] = (max(qos, sub.qos), keep or sub.retain_as_published)
        for cid, (qos, keep) in best.items():
            # Retain is cleared for established subscriptions unless Retain As Published
            # (MQTT 3.1.1 §3.3.1.3, MQTT 5 §3.3.1.3).
            self.sessions[cid].offer(message, min(qos, message.qos), message.retain and keep)
        for key in shared:
            picked = self._shared[key].pick(self.sessions)
            if picked is not None:
                session, sub = picked
                retain = message.retain and sub.retain_as_published
                session.offer(message, min(sub.qos, message.qos), retain)
        return len(best) + len(shared)

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

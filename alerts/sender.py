"""The sender: takes due messages from the outbox and delivers them, never losing one.

Delivery is at least once: a message is leased, sent, then marked sent. A sender killed
between sending and marking leaves the message leased; once the lease runs out another
sender sends it again, with the same dedupe key (the outbox id, ``Ref: veille-<id>`` in the
text and ``veille_ref`` in webhook payloads), so the receiver can drop the copy. Exactly
once is impossible over channels without acknowledgement (HTTP, SMTP, push services).

URLs are queued sealed and opened only here, for the attempt; each is checked against the
outbound rules again at that moment (a name may resolve elsewhere than when it was saved).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg

from alerts.delivery import Outcome, dedupe_ref, deliver
from alerts.masking import masked
from alerts.outbound import Outbound, OutboundError
from alerts.vault import Vault, VaultError
from devices.clock import Clock
from storage import escalations, outbox

log = logging.getLogger("veille.alerts.sender")

# Messages of an escalation step: when none of them can be delivered, the step is moot.
ESCALATING_PURPOSES = frozenset({"family", "checkin_request", "everyone", "reminder"})

# Shown for a URL that cannot be opened: the sealed form itself is never shown.
SEALED = "(sealed)"


@dataclass(frozen=True, slots=True)
class SenderConfig:
    lease_s: float = 60.0
    # Below the lease, so a live sender always finishes before anyone may take its message.
    attempt_timeout_s: float = 20.0
    # Waits after a round in which every URL of a message failed; then the message fails.
    backoff_s: tuple[float, ...] = (5.0, 30.0, 120.0, 600.0)
    batch: int = 1
    outbound: Outbound = field(default_factory=Outbound)


class Sender:
    def __init__(
        self,
        conn: psycopg.Connection[tuple[object, ...]],
        clock: Clock,
        vault: Vault,
        config: SenderConfig | None = None,
        owner: str | None = None,
    ) -> None:
        self._conn = conn
        self._clock = clock
        self._vault = vault
        self._config = config or SenderConfig()
        self.owner = owner or f"sender-{uuid.uuid4().hex[:12]}"

    def run_once(self) -> int:
        """Deliver the messages due now; return how many were handled."""
        now = self._clock.now()
        with self._conn.transaction():
            batch = outbox.claim(
                self._conn,
                self.owner,
                now,
                now + timedelta(seconds=self._config.lease_s),
                self._config.batch,
            )
        for message in batch:
            self._deliver(message)
        return len(batch)

    def _deliver(self, message: outbox.Message) -> None:
        for index, sealed in enumerate(message.urls):
            url, refusal = self._open(sealed)
            # Recorded before it is made (autocommit): a crash mid-attempt stays visible.
            attempt_id = outbox.begin_attempt(
                self._conn, message.id, self._clock.now(), SEALED if url is None else masked(url)
            )
            outcome = refusal or self._send(message, url)
            at = self._clock.now()
            outbox.finish_attempt(
                self._conn, attempt_id, outcome.ok, outcome.detail, outcome.elapsed_ms
            )
            if outcome.ok:
                self._finish_sent(message, at, index)
                return
            log.warning(
                "message %d to %s failed: %s", message.id, outcome.masked_url, outcome.detail
            )
        self._finish_round_failed(message, self._clock.now())

    def _open(self, sealed: str) -> tuple[str | None, Outcome | None]:
        """The URL to try, or why it must not be tried (checked again at delivery time)."""
        try:
            url = self._vault.open(sealed)
        except VaultError as err:
            return None, Outcome(False, SEALED, str(err), 0.0)
        try:
            self._config.outbound.check(url)
        except OutboundError as err:
            return url, Outcome(False, masked(url), f"refused: {err}", 0.0)
        return url, None

    def _send(self, message: outbox.Message, url: str | None) -> Outcome:
        assert url is not None  # _open gives a URL whenever it gives no refusal
        return deliver(
            url,
            message.title,
            message.body,
            message.notify_type,
            dedupe_ref(message.id),
            self._config.attempt_timeout_s,
            self._config.outbound,
        )

    def _finish_sent(self, message: outbox.Message, at: datetime, index: int) -> None:
        with self._conn.transaction():
            if not outbox.mark_sent(self._conn, message.id, self.owner, at, index):
                log.error("lease on message %d ran out before it was marked sent", message.id)
                return
            if message.incident_id is not None:
                escalations.add_timeline(
                    self._conn,
                    message.incident_id,
                    at,
                    "delivered",
                    f"{message.purpose}: {message.title}",
                    message.contact_id,
                )

    def _finish_round_failed(self, message: outbox.Message, at: datetime) -> None:
        backoff = self._config.backoff_s
        next_at = (
            at + timedelta(seconds=backoff[message.rounds])
            if message.rounds < len(backoff)
            else None
        )
        with self._conn.transaction():
            if not outbox.retry_later(self._conn, message.id, self.owner, next_at):
                return
            if next_at is None and message.incident_id is not None:
                self._unreachable(message, message.incident_id, at)

    def _unreachable(self, message: outbox.Message, incident_id: int, at: datetime) -> None:
        """Note it; if nobody this step was meant for could be reached, escalate now."""
        escalations.add_timeline(
            self._conn,
            incident_id,
            at,
            "unreachable",
            f"{message.purpose}: every channel failed",
            message.contact_id,
        )
        if (
            message.purpose in ESCALATING_PURPOSES
            and outbox.nobody_reached(self._conn, incident_id, message.purpose)
            and escalations.hasten(self._conn, incident_id)
        ):
            escalations.add_timeline(
                self._conn, incident_id, at, "escalated", f"nobody reachable ({message.purpose})"
            )

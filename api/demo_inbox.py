"""A phone stand-in for the demo: apprise's ``json://`` posts land here and are shown.

Delivery is real (apprise makes an HTTP request to this endpoint), so the demo proves the
whole path without an account at a push service.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from fastapi import APIRouter, Depends, Request

from api.authz import Public

log = logging.getLogger("veille.demo.inbox")
# Demo mode only (never in `veille api` without --demo-inbox): the demo's fake phone.
router = APIRouter(tags=["demo"], dependencies=[Depends(Public())])


class Inbox:
    def __init__(self, keep: int = 200) -> None:
        self._lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []
        self._keep = keep

    def add(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._messages = [*self._messages[-(self._keep - 1) :], message]

    def messages(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._messages)


@router.post("/demo/inbox")
async def receive(request: Request) -> dict[str, str]:
    body: dict[str, Any] = await request.json()
    request.app.state.inbox.add(body)
    log.warning(
        "ALERT DELIVERED to the demo phone: %s | %s", body.get("title"), body.get("message")
    )
    return {"status": "received"}


@router.get("/demo/inbox")
def show(request: Request) -> list[dict[str, Any]]:
    inbox: Inbox = request.app.state.inbox
    return inbox.messages()

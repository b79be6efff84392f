"""Signed webhook deliveries (Standard Webhooks) to the organization's registered endpoints.

`Outbox.emit(type, object_id)` builds one event (`{"type": "event", id, created_at, data}`) and
POSTs it to every enabled endpoint that wants it, in the background, signed with the endpoint's
`whsec_` secret: `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`
of `id.timestamp.body`, as the SDK's `webhooks.unwrap` verifies. A failed attempt (no answer, or
a status outside 2xx) is retried after RETRY_DELAYS; every attempt is kept in a bounded journal.
At most MAX_PENDING deliveries are in flight; beyond that a delivery is journaled as `dropped`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
import time
from collections import deque
from typing import Any

import httpx
import orjson

from ..db import ObjectStore
from .stamps import rfc3339

RETRY_DELAYS = (0.2, 1.0, 5.0)  # seconds before the 2nd, 3rd and 4th attempt
TIMEOUT_SECONDS = 5.0
MAX_PENDING = 256
JOURNAL_SIZE = 1000
# The endpoint schema lets `enabled_events` name only these; other families' events go to every enabled endpoint.
ORGANIZATION_EVENTS = frozenset({
    "external_key.failed", "external_key.recovered", "external_storage.failed", "external_storage.recovered",
    "user_profile.enforcement_action_opened", "user_profile.enforcement_action_resolved",
    "user_profile.program_status_updated"})


def new_signing_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = message_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


class Outbox:
    def __init__(self, store: ObjectStore, organization_id: str) -> None:
        self.store = store
        self.organization_id = organization_id
        self.journal: deque[dict[str, Any]] = deque(maxlen=JOURNAL_SIZE)
        self._tasks: set[asyncio.Task[None]] = set()

    def emit(self, event_type: str, object_id: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        """Queue the event for every endpoint that wants it; the event as sent."""
        event = {"type": "event", "id": "wevt_" + secrets.token_hex(12), "created_at": rfc3339(time.time()),
                 "data": {"type": event_type, "id": object_id, "organization_id": self.organization_id,
                          "workspace_id": "default", **(data or {})}}
        body = orjson.dumps(event)
        for endpoint in self.store.all("webhook_endpoint"):
            if _wants(endpoint, event_type):
                self._start(endpoint, event, body)
        return event

    def close(self) -> None:
        for task in self._tasks:
            task.cancel()

    def _start(self, endpoint: dict[str, Any], event: dict[str, Any], body: bytes) -> None:
        entry = {"event_id": event["id"], "type": event["data"]["type"], "endpoint_id": endpoint["id"],
                 "url": endpoint["url"], "attempts": [], "status": "pending"}
        self.journal.append(entry)
        if len(self._tasks) >= MAX_PENDING:
            entry["status"] = "dropped"
            return
        try:
            task = asyncio.get_running_loop().create_task(self._deliver(endpoint, event["id"], body, entry))
        except RuntimeError:  # no loop (a synchronous caller): nothing can be sent
            entry["status"] = "dropped"
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, endpoint: dict[str, Any], message_id: str, body: bytes, entry: dict[str, Any]) -> None:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
            for delay in (0.0, *RETRY_DELAYS):
                await asyncio.sleep(delay)
                secret = (self.store.get("webhook_endpoint", endpoint["id"]) or endpoint)["signing_secret"]
                timestamp = int(time.time())
                headers = {"content-type": "application/json", "webhook-id": message_id,
                           "webhook-timestamp": str(timestamp),
                           "webhook-signature": sign(secret, message_id, timestamp, body)}
                try:
                    status = (await client.post(endpoint["url"], content=body, headers=headers)).status_code
                except httpx.HTTPError as failure:
                    entry["attempts"].append({"at": rfc3339(time.time()), "error": type(failure).__name__})
                    continue
                entry["attempts"].append({"at": rfc3339(time.time()), "status": status})
                if 200 <= status < 300:
                    entry["status"] = "delivered"
                    return
        entry["status"] = "failed"


def _wants(endpoint: dict[str, Any], event_type: str) -> bool:
    if endpoint.get("state") != "enabled":
        return False
    return event_type in endpoint["enabled_events"] or event_type not in ORGANIZATION_EVENTS

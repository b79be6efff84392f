"""What the mock holds right now, at a glance (`GET /_mock/state`, the inspector's State view):
batches with their status, files, skills, rate-limit buckets and rule counters.

Read-only and cheap: it renders stored records without running anything (a batch past its end
shows `ended` but its results are computed only when the API asks for them).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from .resources.batches import status as batch_status
from .resources.stamps import rfc3339
from .resources.usage_ledger import partial_hint

if TYPE_CHECKING:
    from .state import AppState
    from .scenarios.controls import Controls


def served_state(state: AppState, controls: Controls, session: str | None) -> dict[str, Any]:
    store = state.store
    now = time.time()
    return {
        "stateless": store is None,
        "batches": [_batch(doc, now) for doc in store.all("batch")] if store else [],
        "files": [_file(doc) for doc in store.all("file")] if store else [],
        "skills": [_skill(doc) for doc in store.all("skill")] if store else [],
        "rate_limits": _buckets(controls),
        "counters": controls.counters(session),
    }


def _batch(doc: dict[str, Any], now: float) -> dict[str, Any]:
    return {"id": doc["id"], "processing_status": batch_status(doc, now), "request_count": doc["request_count"],
            "created_at": rfc3339(doc["created_at"]), "cancel_initiated_at": rfc3339(doc["cancel_initiated_at"])}


def _file(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["id"], "filename": doc["filename"], "mime_type": doc["mime_type"],
            "size_bytes": doc["size_bytes"], "created_at": rfc3339(doc["created_at"]),
            "downloadable": doc["downloadable"]}


def _skill(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["id"], "display_title": doc.get("display_title"), "name": doc.get("name"),
            "source": doc.get("source"), "latest_version": doc.get("latest_version"),
            "created_at": rfc3339(doc["created_at"])}


def _buckets(controls: Controls) -> dict[str, Any]:
    limiter = controls.limiter
    if limiter is None:
        return {"enforced": False, "buckets": []}
    buckets = [{"api_key": partial_hint(api_key), "model": model,
                "limits": {"requests": limits.requests, "input_tokens": limits.input_tokens,
                           "output_tokens": limits.output_tokens, "window_seconds": limits.window},
                "remaining": {"requests": held[0], "input_tokens": held[1], "output_tokens": held[2]},
                "full_at": rfc3339(full_at)}
               for api_key, model, limits, held, full_at in limiter.levels()]
    return {"enforced": limiter.enforce, "buckets": buckets}

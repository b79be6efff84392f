"""Message Batches: requests validated up front, processed lazily by the clock.

A batch spreads its requests evenly over `Config.batch_seconds`; reads compute where it stands
from timestamps, and the first read after its end runs the engine over the requests and stores
one result line per request (succeeded, errored, canceled or expired).
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING, Any, AsyncIterator

import orjson

from ..call import Call
from ..engine import checks
from ..http.errors import ApiError, invalid_request, not_found
from ..http.replies import BytesReply, JsonReply, Reply
from ..ids import new_id
from ..store import Store
from .paging import id_page
from .services import engine_context, store_of
from .stamps import rfc3339
from .usage_ledger import api_key_of, record_message_usage

if TYPE_CHECKING:
    from ..state import AppState

log = logging.getLogger("mockserver")
MAX_REQUESTS = 100_000
DAY = 24 * 3600.0
_CHUNK = 500
_OUTCOMES = ("succeeded", "errored", "canceled", "expired")


def handlers(state: AppState) -> dict[str, Any]:
    return {
        "batches_create": create,
        "batches_list": list_batches,
        "batches_retrieve": retrieve,
        "batches_cancel": cancel,
        "batches_delete": delete,
        "batches_results": results,
    }


# -- the clock ------------------------------------------------------------------------------------

def ends_at(batch: dict[str, Any]) -> float:
    end = min(batch["planned_end"], batch["expires_at"])
    if batch["cancel_initiated_at"] is not None:
        end = min(end, batch["cancel_initiated_at"] + batch["cancel_grace"])
    return end


def status(batch: dict[str, Any], now: float) -> str:
    if batch.get("finished") or now >= ends_at(batch):
        return "ended"
    return "canceling" if batch["cancel_initiated_at"] is not None else "in_progress"


def finished_at(batch: dict[str, Any], idx: int) -> float:
    """When request `idx` completes if nothing stops it: requests finish evenly over the batch's span."""
    span = batch["planned_end"] - batch["created_at"]
    return batch["created_at"] + span * (idx + 1) / batch["request_count"]


def fate(batch: dict[str, Any], idx: int) -> str | None:
    """'canceled' or 'expired' for a request that never ran, None for one that was processed."""
    done = finished_at(batch, idx)
    canceled = batch["cancel_initiated_at"]
    if done <= batch["expires_at"] and (canceled is None or done <= canceled):
        return None
    return "canceled" if canceled is not None and canceled < batch["expires_at"] else "expired"


# -- handlers -------------------------------------------------------------------------------------

def create(call: Call) -> Reply:
    requests = call.body["requests"]
    _check_requests(call, requests)
    now = call.received_at
    span = max(0.0, call.state.config.batch_seconds)
    key_id, key_workspace = api_key_of(store_of(call), call.api_key, now)
    doc = {
        "created_at": now, "expires_at": now + DAY, "planned_end": now + span, "cancel_grace": min(1.0, span / 10),
        "cancel_initiated_at": None, "archived_at": None, "request_count": len(requests), "finished": False,
        "version": call.version, "betas": list(call.betas), "api_key_id": key_id,
        "workspace_id": call.headers.get("anthropic-workspace-id") or key_workspace,
    }
    batch = store_of(call).create_batch(doc, [(r["custom_id"], r["params"]) for r in requests])
    return JsonReply(render(call, batch))


def retrieve(call: Call) -> Reply:
    return JsonReply(render(call, _batch(call)))


def list_batches(call: Call) -> Reply:
    return JsonReply(id_page(store_of(call), "batch", call.query, lambda doc: render(call, doc)))


def cancel(call: Call) -> Reply:
    batch = _batch(call)
    if status(batch, call.received_at) == "in_progress":
        def start_canceling(doc: dict[str, Any]) -> None:
            if doc["cancel_initiated_at"] is None and status(doc, call.received_at) == "in_progress":
                doc["cancel_initiated_at"] = call.received_at

        batch = store_of(call).update("batch", batch["id"], start_canceling) or batch
    return JsonReply(render(call, batch))


def delete(call: Call) -> Reply:
    batch = _batch(call)
    current = status(batch, call.received_at)
    if current != "ended":
        raise invalid_request(
            f"Message Batch {batch['id']} cannot be deleted while its processing_status is `{current}`. "
            "Cancel it and wait for processing to end before deleting it.")
    store_of(call).delete_batch(batch["id"])
    return JsonReply({"id": batch["id"], "type": "message_batch_deleted"})


def results(call: Call) -> Reply:
    batch = _batch(call)
    if status(batch, call.received_at) != "ended":
        raise invalid_request(
            f"Message Batch {batch['id']} has not finished processing yet; its results are available "
            "once `processing_status` is `ended`.")
    finish(call.state, batch)
    return BytesReply(_result_lines(store_of(call), batch["id"]), content_type="application/x-jsonl")


# -- rendering and finishing ----------------------------------------------------------------------

def render(call: Call, batch: dict[str, Any]) -> dict[str, Any]:
    current = status(batch, call.received_at)
    if current == "ended" and not batch.get("finished"):
        batch = finish(call.state, batch)
    ended = current == "ended"
    counts = {name: 0 for name in ("processing", *_OUTCOMES)}
    if ended:
        counts.update({name: batch["counts"].get(name, 0) for name in _OUTCOMES})
    else:
        counts["processing"] = batch["request_count"]
    return {
        "id": batch["id"],
        "type": "message_batch",
        "processing_status": current,
        "request_counts": counts,
        "ended_at": rfc3339(ends_at(batch)) if ended else None,
        "created_at": rfc3339(batch["created_at"]),
        "expires_at": rfc3339(batch["expires_at"]),
        "archived_at": rfc3339(batch["archived_at"]),
        "cancel_initiated_at": rfc3339(batch["cancel_initiated_at"]),
        "results_url": f"{call.base_url}/v1/messages/batches/{batch['id']}/results" if ended else None,
    }


def finish(state: AppState, batch: dict[str, Any]) -> dict[str, Any]:
    """Compute and store every open request's result; safe to run from several workers at once."""
    if batch.get("finished"):
        return batch
    store = state.store
    while pending := store.pending_batch_requests(batch["id"], _CHUNK):
        outcomes = [_outcome(state, batch, idx, custom_id, params) for idx, custom_id, params in pending]
        written = set(store.save_batch_outcomes(batch["id"], [(idx, kind, line) for idx, kind, line, _ in outcomes]))
        for idx, kind, _, message in outcomes:
            if kind == "succeeded" and idx in written:
                _record(store, batch, idx, message)
    counts = store.batch_outcome_counts(batch["id"])

    def mark_finished(doc: dict[str, Any]) -> None:
        doc["finished"] = True
        doc["counts"] = {name: counts.get(name, 0) for name in _OUTCOMES}

    return store.update("batch", batch["id"], mark_finished) or {**batch, "finished": True, "counts": counts}


def _outcome(state: AppState, batch: dict[str, Any], idx: int, custom_id: str,
             params: dict[str, Any]) -> tuple[int, str, bytes, dict[str, Any] | None]:
    never_ran = fate(batch, idx)
    if never_ran is not None:
        return idx, never_ran, _line(custom_id, {"type": never_ran}), None
    rng = random.Random(f"{state.config.seed}:{batch['id']}:{idx}")
    try:
        message = _run_engine(state, batch, params, rng, finished_at(batch, idx))
        line = _line(custom_id, {"type": "succeeded", "message": message})
    except ApiError as error:
        return idx, "errored", _errored_line(custom_id, error, rng), None
    except Exception:  # a stored request must never make reading its batch fail: it errors alone
        log.exception("batch %s request %d could not be processed", batch["id"], idx)
        return idx, "errored", _errored_line(custom_id, ApiError("api_error"), rng), None
    return idx, "succeeded", line, message


def _errored_line(custom_id: str, error: ApiError, rng: random.Random) -> bytes:
    return _line(custom_id, {"type": "errored", "error": error.envelope(new_id("req_", rng))})


def _run_engine(state: AppState, batch: dict[str, Any], params: dict[str, Any], rng: random.Random,
                now: float) -> dict[str, Any]:
    from ..engine import create_message

    context = engine_context(state, rng=rng, now=now, betas=batch["betas"], version=batch["version"],
                             service_tier="batch")
    message = create_message(params, context)
    usage = message.get("usage")
    if isinstance(usage, dict):
        usage["service_tier"] = "batch"
    return message


def _record(store: Store, batch: dict[str, Any], idx: int, message: dict[str, Any]) -> None:
    record_message_usage(store, model=str(message.get("model")), usage=message.get("usage") or {},
                         at=finished_at(batch, idx), api_key_id=batch["api_key_id"],
                         workspace_id=batch["workspace_id"], service_tier="batch")


def _line(custom_id: str, result: dict[str, Any]) -> bytes:
    return orjson.dumps({"custom_id": custom_id, "result": result})


async def _result_lines(store: Store, batch_id: str) -> AsyncIterator[bytes]:
    after = -1
    while rows := store.batch_result_lines(batch_id, after, _CHUNK):
        after = rows[-1][0]
        yield b"".join(bytes(line) + b"\n" for _, line in rows)


# -- validation -----------------------------------------------------------------------------------

def _check_requests(call: Call, requests: list[dict[str, Any]]) -> None:
    if len(requests) > MAX_REQUESTS:
        raise invalid_request(f"requests: List should have at most {MAX_REQUESTS} items after validation, "
                              f"not {len(requests)}")
    validator = call.state.validators.body("messages_create", call.version)
    seen: dict[str, int] = {}
    for index, request in enumerate(requests):
        custom_id = request["custom_id"]
        if custom_id in seen:
            raise invalid_request(f"requests.{index}.custom_id: Duplicate custom_id `{custom_id}` (already used by "
                                  f"requests.{seen[custom_id]}); custom_id values must be unique within a batch.")
        seen[custom_id] = index
        _check_params(call, index, request["params"], validator)


def _check_params(call: Call, index: int, params: dict[str, Any], validator: Any) -> None:
    prefix = f"requests.{index}.params."
    if params.get("stream"):
        raise invalid_request(f"{prefix}stream: Streaming is not supported for requests in a Message Batch")
    name = call.operation.field_missing_beta(params, call.betas)
    if name is not None:
        raise invalid_request(f"{prefix}{name}: Extra inputs are not permitted")
    try:
        if validator is not None:  # the limits compare what the schema made sure is a number
            validator.check(params)
            _check_limits(call, checks.whole_numbers(params))
    except ApiError as error:
        raise ApiError(error.error_type, prefix + error.message, status=error.status) from None


def _check_limits(call: Call, params: dict[str, Any]) -> None:
    """What /v1/messages refuses before generating; an unknown model still errors in the results."""
    try:
        entry = checks.resolve_model(params.get("model"), call.state.catalog)
    except ApiError:
        return
    checks.check_max_tokens(params, entry, frozenset(call.betas))


def _batch(call: Call) -> dict[str, Any]:
    batch_id = call.path_params["message_batch_id"]
    batch = store_of(call).get_batch(batch_id)
    if batch is None:
        raise not_found(f"Message Batch {batch_id} not found")
    return batch


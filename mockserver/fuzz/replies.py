"""Fuzzed replies to messages_create: drawn from one random source, then sent as drawn.

A reply is a Message as JSON, or its SSE stream when the request asks to stream (strategies.py draws
both), simplified as asked (profiles.Simplify) and, with a faults profile, now and then a fault: a 429
or 529 answer with or without `retry-after` and `x-should-retry`, an `error` event mid-stream, the
connection cut mid-body, or the body dripped slowly. Every reply is one the real API could send:
the same drawing feeds the contract checks (contracts/test_fuzz_honesty.py).

Seeded, a reply depends only on the seed, the request body (without `stream`, so the plain and the
streamed reply carry the same message) and how often that request came before: a retry gets a new
draw, and a run replays byte for byte against a fresh server (`mockserver serve --fuzz SEED`).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, AsyncIterator

import orjson

from ..faults import ConnectionCut
from ..http.errors import ApiError, error_reply
from ..http.replies import BytesReply, Reply
from . import strategies
from .profiles import NO_LIMITS, PROFILES, Profile, Simplify
from .wire import Wire, draw_wire, dump_json, encode_events, split_bytes

if TYPE_CHECKING:
    from ..call import Call

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
SEED_HEADER = "x-mock-fuzz-seed"
FAULT_CHANCE = 0.4
RETRY_AFTER = (None, "0", "1")
SHOULD_RETRY = (None, "true", "false")
STOP_REASONS = ("end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", "compaction",
                "model_context_window_exceeded")
DRIPS = (0.001, 0.003, 0.01)  # seconds between chunks


@dataclass(frozen=True, slots=True)
class Drawn:
    """One drawn reply: what goes on the wire, and what a complete reply accumulates to."""

    status: int
    content_type: str
    chunks: list[bytes]
    message: dict[str, Any] | None  # None for an error answer or an interrupted stream
    headers: dict[str, str]
    fault: str | None = None  # what went wrong on purpose, in words
    cut: bool = False  # the connection closes after the chunks, mid-body
    drip: float = 0.0  # seconds between chunks
    events: list[tuple[str, dict[str, Any]]] | None = None
    error_type: str | None = None  # of an error answer (status 429 or 529)

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)

    @property
    def streamed(self) -> bool:
        return self.content_type == SSE_CONTENT_TYPE


def draw_reply(rng: random.Random, *, stream: bool, model: str | None = None, profile: Profile = PROFILES["future"],
               simplify: Simplify = NO_LIMITS, request_id: str = "req_fuzz", max_tokens: Any = None) -> Drawn:
    """The reply to one messages_create request."""
    fault = rng.choice(("error", "error", "cut", "drip", "event")) if (
        profile.faults and simplify.faults != 0 and rng.random() < FAULT_CHANCE) else None
    if fault == "error":
        return _error_answer(rng, request_id)
    if fault == "event" and not stream:  # a plain reply has no events: its fault is a cut body
        fault = "cut"
    future = profile.future and simplify.extras != 0
    message = _simplified(strategies.draw_message(rng, future=future, model=model, max_blocks=simplify.blocks), simplify)
    _make_final(message, rng, max_tokens)
    events = None
    if stream:
        events = strategies.message_events(message, rng, future=future)
        if fault == "event":
            events = _interrupted(events, rng)
        wire = draw_wire(rng) if simplify.extras != 0 else Wire()
        body, content_type = encode_events(events, wire, rng), SSE_CONTENT_TYPE
    else:
        style = rng.choice(("compact", "spaced", "ascii")) if simplify.extras != 0 else "compact"
        body, content_type = dump_json(message, style), "application/json"
    chunks = [body] if simplify.chunks == 1 else split_bytes(body, rng)
    drawn = Drawn(200, content_type, chunks, message, {}, events=events)
    if fault == "event":
        return replace(drawn, message=None, fault=f"error event after {len(events) - 1} events")  # type: ignore[arg-type]
    if fault == "cut":
        return _cut(drawn, rng)
    if fault == "drip":
        return replace(drawn, drip=rng.choice(DRIPS), fault="slow drip")
    return drawn


def _error_answer(rng: random.Random, request_id: str) -> Drawn:
    kind = rng.choice(("rate_limit_error", "overloaded_error"))
    headers = {}
    for name, values in (("retry-after", RETRY_AFTER), ("x-should-retry", SHOULD_RETRY)):
        value = rng.choice(values)
        if value is not None:
            headers[name] = value
    error = ApiError(kind, headers=headers)
    said = " ".join(f"{k}: {v}" for k, v in headers.items())
    return Drawn(error.status, "application/json", [orjson.dumps(error.body(request_id))], None, headers,
                 fault=f"{error.status} {kind}" + (f" ({said})" if said else ""), error_type=kind)


def _interrupted(events: list[Any], rng: random.Random) -> list[Any]:
    """The first events of a stream, then the `error` event the API sends when a stream fails."""
    keep = rng.randint(1, max(1, len(events) - 2))
    kind = rng.choice(("overloaded_error", "api_error"))
    error = ApiError(kind)
    return [*events[:keep], ("error", {"type": "error", "error": {"type": kind, "message": error.message}})]


def _cut(drawn: Drawn, rng: random.Random) -> Drawn:
    body = drawn.body
    at = rng.randint(1, max(1, len(body) - 1))
    headers = {"x-should-retry": "false"} if rng.random() < 0.5 else {}
    chunks, taken = [], 0
    for chunk in drawn.chunks:
        if taken + len(chunk) >= at:
            chunks.append(chunk[: at - taken])
            break
        chunks.append(chunk)
        taken += len(chunk)
    said = " (x-should-retry: false)" if headers else ""
    return replace(drawn, chunks=chunks, message=None, headers=headers, cut=True,
                   fault=f"connection cut after {at} of {len(body)} bytes{said}")


def _make_final(message: dict[str, Any], rng: random.Random, max_tokens: Any) -> None:
    """What a finished reply always has: a stop reason (`tool_use` only with a tool call), a stop
    sequence only when it stopped on one, and no more output tokens than the request allowed."""
    if message.get("stop_reason") is None:
        message["stop_reason"] = rng.choice(STOP_REASONS)
    if message["stop_reason"] == "tool_use" and not any(b.get("type") == "tool_use" for b in message["content"]):
        message["stop_reason"] = "end_turn"  # the API stops for a tool only when it calls one
    if message["stop_reason"] != "stop_sequence":
        message["stop_sequence"] = None
    elif not message.get("stop_sequence"):
        message["stop_sequence"] = "###"
    usage = message["usage"]
    if isinstance(max_tokens, int) and usage.get("output_tokens", 0) > max_tokens:
        usage["output_tokens"] = max_tokens


def _simplified(message: dict[str, Any], simplify: Simplify) -> dict[str, Any]:
    if simplify.blocks >= 0:
        message["content"] = message["content"][: simplify.blocks]
    if simplify.text >= 0:
        message["content"] = [_shortened(block, simplify.text) for block in message["content"]]
    return message


def _shortened(value: Any, limit: int, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _shortened(v, limit, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_shortened(v, limit, key) for v in value]
    if isinstance(value, str) and key in strategies.TEXT_KEYS:
        return value[:limit]
    return value


# --- on the server --------------------------------------------------------------------------------

def as_reply(drawn: Drawn, call: Call, headers: dict[str, str]) -> Reply:
    """The server's reply for a drawn one: errors through the error table, bodies chunk by chunk."""
    if drawn.error_type is not None:
        error = ApiError(drawn.error_type, headers=drawn.headers)
        reply = error_reply(error, call.request_id, call.operation)
        reply.headers.update(headers)
        return reply
    extra = {**headers, **drawn.headers, **({"cache-control": "no-cache"} if drawn.streamed else {})}
    return BytesReply(_sent(drawn), drawn.content_type, headers=extra)


async def _sent(drawn: Drawn) -> AsyncIterator[bytes]:
    """Each chunk is its own ASGI body message, so the splits reach the socket as drawn."""
    for number, chunk in enumerate(drawn.chunks):
        if drawn.drip and number:
            await asyncio.sleep(drawn.drip)
        yield chunk
    if drawn.cut:
        raise ConnectionCut()


def fuzz_reply(call: Call, seed: int, *, profile: Profile = PROFILES["future"], occurrence: int = 0) -> Reply:
    """The fuzzed reply to a messages_create call (the `fuzz: SEED` rule action, the first of a run)."""
    body = call.body if isinstance(call.body, dict) else {}
    rng = random.Random(request_seed(seed, body, call.raw_body, occurrence))
    model = body.get("model") if isinstance(body.get("model"), str) else None
    drawn = draw_reply(rng, stream=body.get("stream") is True, model=model, profile=profile,
                       request_id=call.request_id, max_tokens=body.get("max_tokens"))
    return as_reply(drawn, call, {SEED_HEADER: str(seed)})


def request_seed(seed: int, body: dict[str, Any], raw_body: bytes = b"", occurrence: int = 0) -> int:
    """One number per (seed, request, occurrence); `stream` is left out so both forms share their message."""
    digest = hashlib.blake2b(str(seed).encode(), digest_size=8)
    if body:
        digest.update(orjson.dumps({k: v for k, v in body.items() if k != "stream"}, option=orjson.OPT_SORT_KEYS))
    else:
        digest.update(raw_body)
    if occurrence:
        digest.update(b"#%d" % occurrence)
    return int.from_bytes(digest.digest(), "big")

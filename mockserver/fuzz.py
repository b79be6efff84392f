"""Fuzz mode: messages_create answers with fuzzed but valid replies, to shake out client parsers.

Replies come from mockserver.strategies: Messages with every content block type, unicode, empty and
long text, extreme usage numbers and what later API releases may add (unknown block types, stop
reasons, events and fields); streams with chunks split inside UTF-8 characters and SSE lines, LF,
CRLF or CR line ends, comments and pings. A reply depends only on the seed and the request body
(without `stream`), so a failure replays byte for byte, and the streamed and plain replies to one
request carry the same message.
"""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING, Any, AsyncIterator

import orjson

from . import strategies
from .http.replies import BytesReply, Reply

if TYPE_CHECKING:
    from .call import Call

SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
SEED_HEADER = "x-mock-fuzz-seed"


def fuzz_reply(call: Call, seed: int, *, future: bool = True) -> Reply:
    """The fuzzed reply to a messages_create call: JSON, or SSE when the body asks to stream."""
    body = call.body if isinstance(call.body, dict) else {}
    rng = random.Random(request_seed(seed, body, call.raw_body))
    model = body.get("model") if isinstance(body.get("model"), str) else None
    headers = {SEED_HEADER: str(seed)}
    if body.get("stream") is True:
        stream = strategies.draw_stream(rng, future=future, model=model)
        return BytesReply(_chunks(stream.chunks), SSE_CONTENT_TYPE, headers={**headers, "cache-control": "no-cache"})
    reply = strategies.draw_json_reply(rng, future=future, model=model)
    return BytesReply(_chunks(reply.chunks), "application/json", headers=headers)


def request_seed(seed: int, body: dict[str, Any], raw_body: bytes = b"") -> int:
    """One number per (seed, request); `stream` is left out so both forms share their message."""
    digest = hashlib.blake2b(str(seed).encode(), digest_size=8)
    if body:
        digest.update(orjson.dumps({k: v for k, v in body.items() if k != "stream"}, option=orjson.OPT_SORT_KEYS))
    else:
        digest.update(raw_body)
    return int.from_bytes(digest.digest(), "big")


async def _chunks(chunks: list[bytes]) -> AsyncIterator[bytes]:
    """Each chunk is its own ASGI body message, so the splits reach the socket as drawn."""
    for chunk in chunks:
        yield chunk

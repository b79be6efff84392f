"""Turn a rule's response into a Reply: a completed Message (JSON, or the engine's SSE stream of
it), an API error, or a raw body."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import orjson

from ..engine import EngineContext, count_tokens, message_events
from ..engine.tokenizer import count
from ..fuzz.replies import fuzz_reply
from ..http.errors import ApiError, error_reply
from ..http.replies import BytesReply, JsonReply, Reply, StreamReply
from ..ids import new_id
from ..ratelimit import input_token_estimate
from .headers import NO_BODY
from .matching import wants_stream
from .rules import Response

if TYPE_CHECKING:
    from ..call import Call


def render(response: Response, call: Call) -> Reply:
    if response.kind == "message":
        message = complete_message(response.message or {}, call)
        if wants_stream(call.body):
            return StreamReply(message_events(message))
        return JsonReply(message)
    if response.kind == "error":
        return error_reply(response.error.error(), call.request_id, call.operation)
    if response.kind == "fuzz":
        return fuzz_reply(call, response.fuzz_seed)
    return raw_reply(response)


def raw_reply(response: Response) -> Reply:
    body = response.body
    if response.status in NO_BODY:  # rules refuse a body with these statuses
        return BytesReply(b"", response.content_type or "text/plain; charset=utf-8", status=response.status)
    if response.content_type is None and not isinstance(body, (str, bytes)):
        return JsonReply(body if body is not None else {}, status=response.status)
    if isinstance(body, str):
        data = body.encode()
    elif isinstance(body, bytes):
        data = body
    else:
        data = orjson.dumps(body)
    content_type = response.content_type or "text/plain; charset=utf-8"
    return BytesReply(data, content_type, status=response.status)


# -- messages ------------------------------------------------------------------------------------

def complete_message(partial: dict[str, Any], call: Call) -> dict[str, Any]:
    """Fill in what a rule left out, the way the API would have answered."""
    rng = call.rng()
    body = call.body if isinstance(call.body, dict) else {}
    content = [_complete_block(block, rng) for block in partial.get("content") or []]
    has_tool_use = any(block.get("type") == "tool_use" for block in content)
    usage = {
        "input_tokens": _input_tokens(call),
        "output_tokens": sum(_block_tokens(block) for block in content),
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "service_tier": "standard",
        **(partial.get("usage") or {}),
    }
    message = {
        "id": new_id("msg_", rng),
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude-sonnet-4-6"),
        "content": content,
        "stop_reason": "tool_use" if has_tool_use else "end_turn",
        "stop_sequence": None,
    }
    message.update({k: v for k, v in partial.items() if k not in ("content", "usage")})
    message["usage"] = usage
    return message


def _complete_block(block: dict[str, Any], rng: Any) -> dict[str, Any]:
    kind = block.get("type", "text")
    block = {"type": kind, **block}
    if kind == "text":
        block.setdefault("text", "")
    elif kind in ("tool_use", "server_tool_use"):
        block.setdefault("id", new_id("toolu_" if kind == "tool_use" else "srvtoolu_", rng))
        block.setdefault("input", {})
    elif kind == "thinking":
        block.setdefault("thinking", "")
        block.setdefault("signature", base64.b64encode(rng.randbytes(48)).decode())
    return block


def _block_tokens(block: dict[str, Any]) -> int:
    kind = block.get("type")
    if kind == "text":
        return count(block.get("text", ""))
    if kind == "thinking":
        return count(block.get("thinking", ""))
    if kind in ("tool_use", "server_tool_use"):
        return count(orjson.dumps(block.get("input", {})).decode()) + 8
    return 0


def _input_tokens(call: Call) -> int:
    """What count_tokens would say; a plain estimate when the engine refuses the request."""
    body = call.body
    if isinstance(body, dict) and "messages" in body:
        try:
            ctx = EngineContext(rng=call.rng(), now=call.received_at, betas=frozenset(call.betas),
                                version=call.version)
            return int(count_tokens(body, ctx)["input_tokens"])
        except ApiError:
            pass
    return max(1, input_token_estimate(body))

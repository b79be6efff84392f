"""The SSE events of a Message, derived from the finished message alone.

message_start carries the message with no content, no stop reason and a provisional
output_tokens; every block then opens with content_block_start (result blocks arrive complete
there), streams its deltas (text a few tokens at a time, tool input as JSON fragments,
citations before the text they support, thinking then its signature) and closes; a `ping`
follows the first block start; message_delta carries the stop reason, the container and the
final usage; message_stop ends the stream. Accumulating the events gives back `message`.
"""

from __future__ import annotations

import json
from typing import Any

from . import tokenizer
from .context import EngineContext

Event = tuple[str, dict[str, Any]]
TEXT_PIECES = 4  # tokens per text_delta
THINKING_PIECES = 12
JSON_CHUNK = 24  # characters per input_json_delta
_DELTA_USAGE = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "server_tool_use",
                "output_tokens_details", "iterations")
_LATE_USAGE = ("server_tool_use", "output_tokens_details", "iterations")


def message_events(message: dict[str, Any], ctx: EngineContext | None = None) -> list[Event]:
    events: list[Event] = [("message_start", {"type": "message_start", "message": _opening(message)})]
    for index, block in enumerate(message["content"]):
        block_events = _block_events(index, block)
        if index == 0:
            block_events.insert(1, _ping())
        events += block_events
    if not message["content"]:
        events.append(_ping())
    events.append(("message_delta", _closing(message)))
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _ping() -> Event:
    return ("ping", {"type": "ping"})


def _opening(message: dict[str, Any]) -> dict[str, Any]:
    usage = {k: v for k, v in message["usage"].items() if k != "output_tokens_details"}
    usage["output_tokens"] = min(1, message["usage"]["output_tokens"])
    for key in _LATE_USAGE:
        if key in usage:
            usage[key] = None
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}
    if "container" in message:
        start["container"] = None
    if "stop_details" in message:
        start["stop_details"] = None
    return start


def _closing(message: dict[str, Any]) -> dict[str, Any]:
    usage = message["usage"]
    delta: dict[str, Any] = {"stop_reason": message["stop_reason"], "stop_sequence": message["stop_sequence"]}
    if "stop_details" in message:
        delta["stop_details"] = message["stop_details"]
    if message.get("container") is not None:
        delta["container"] = message["container"]
    closing: dict[str, Any] = {"type": "message_delta", "delta": delta,
                               "usage": {"output_tokens": usage["output_tokens"],
                                         **{k: usage[k] for k in _DELTA_USAGE if k in usage}}}
    if "context_management" in message:
        closing["context_management"] = message["context_management"]
    return closing


def _block_events(index: int, block: dict[str, Any]) -> list[Event]:
    kind = block["type"]
    if kind == "text":
        start = {"type": "text", "text": "", "citations": [] if block.get("citations") else block.get("citations")}
        deltas = [{"type": "citations_delta", "citation": c} for c in block.get("citations") or ()]
        deltas += [{"type": "text_delta", "text": t} for t in tokenizer.chunks(block["text"], TEXT_PIECES)]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": "", "signature": ""}
        thoughts = tokenizer.chunks(block["thinking"], THINKING_PIECES)
        deltas = [{"type": "thinking_delta", "thinking": t} for t in thoughts]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
    elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        start = {**block, "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": p} for p in _json_fragments(block["input"])]
    else:
        start, deltas = block, []
    opening = {"type": "content_block_start", "index": index, "content_block": start}
    events: list[Event] = [("content_block_start", opening)]
    events += [("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d}) for d in deltas]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def _json_fragments(arguments: dict[str, Any]) -> list[str]:
    if not arguments:
        return [""]
    encoded = json.dumps(arguments, ensure_ascii=False)
    return [""] + [encoded[i:i + JSON_CHUNK] for i in range(0, len(encoded), JSON_CHUNK)]

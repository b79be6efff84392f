"""The SSE events of a Message, derived from the finished message alone.

message_start carries the message with no content, no stop reason and a provisional
output_tokens; every block then opens with content_block_start (result blocks arrive complete
there), streams its deltas (text a few tokens at a time, tool input as JSON fragments,
citations before the text they support, thinking then its signature) and closes; a `ping`
follows the first block start; message_delta carries the stop reason, the container and the
final usage; message_stop ends the stream. Accumulating the events gives back `message`.

Where the pieces are cut is a `Cuts` object's choice: the server cuts the same way every time,
the fuzzing strategies (mockserver.fuzz.strategies) cut at random through the same derivation.
"""

from __future__ import annotations

import json
from typing import Any

from . import tokenizer

Event = tuple[str, dict[str, Any]]
TEXT_PIECES = 4  # tokens per text_delta
THINKING_PIECES = 12
JSON_CHUNK = 24  # characters per input_json_delta
DELTA_USAGE = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "server_tool_use",
               "output_tokens_details", "iterations")
LATE_USAGE = ("server_tool_use", "output_tokens_details", "iterations")  # known only once the reply ends
TOOL_USES = ("tool_use", "server_tool_use", "mcp_tool_use")


class Cuts:
    """Where a message is cut into events: the server's fixed cuts."""

    def text(self, text: str) -> list[str]:
        return tokenizer.chunks(text, TEXT_PIECES)

    def thinking(self, thinking: str) -> list[str]:
        return tokenizer.chunks(thinking, THINKING_PIECES)

    def tool_input(self, arguments: dict[str, Any]) -> list[str]:
        if not arguments:
            return [""]
        encoded = json.dumps(arguments, ensure_ascii=False)
        return [""] + [encoded[i:i + JSON_CHUNK] for i in range(0, len(encoded), JSON_CHUNK)]

    def provisional_output_tokens(self, output_tokens: int) -> int:
        return min(1, output_tokens)

    def closing_usage(self, usage: dict[str, Any]) -> dict[str, Any]:
        return {"output_tokens": usage["output_tokens"], **{k: usage[k] for k in DELTA_USAGE if k in usage}}

    def interleave(self, events: list[Event]) -> list[Event]:
        """Add keep-alives to the events before message_stop: one ping after the first block's start."""
        events.insert(2 if len(events) > 2 else 1, ("ping", {"type": "ping"}))
        return events


SERVER_CUTS = Cuts()


def message_events(message: dict[str, Any], cuts: Cuts = SERVER_CUTS) -> list[Event]:
    events: list[Event] = [("message_start", {"type": "message_start", "message": _opening(message, cuts)})]
    for index, block in enumerate(message["content"]):
        events += _block_events(index, block, cuts)
    events.append(("message_delta", _closing(message, cuts)))
    events = cuts.interleave(events)
    events.append(("message_stop", {"type": "message_stop"}))
    return events


def _opening(message: dict[str, Any], cuts: Cuts) -> dict[str, Any]:
    usage = {k: v for k, v in message["usage"].items() if k != "output_tokens_details"}
    usage["output_tokens"] = cuts.provisional_output_tokens(message["usage"]["output_tokens"])
    for key in LATE_USAGE:
        if key in usage:
            usage[key] = None
    start = {**message, "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}
    if "container" in message:
        start["container"] = None
    if "stop_details" in message:
        start["stop_details"] = None
    return start


def _closing(message: dict[str, Any], cuts: Cuts) -> dict[str, Any]:
    delta: dict[str, Any] = {"stop_reason": message.get("stop_reason"), "stop_sequence": message.get("stop_sequence")}
    if "stop_details" in message:
        delta["stop_details"] = message["stop_details"]
    if message.get("container") is not None:
        delta["container"] = message["container"]
    closing: dict[str, Any] = {"type": "message_delta", "delta": delta, "usage": cuts.closing_usage(message["usage"])}
    if "context_management" in message:
        closing["context_management"] = message["context_management"]
    return closing


def _block_events(index: int, block: dict[str, Any], cuts: Cuts) -> list[Event]:
    start, deltas = _start_and_deltas(block, cuts)
    events: list[Event] = [("content_block_start", {"type": "content_block_start", "index": index,
                                                    "content_block": start})]
    events += [("content_block_delta", {"type": "content_block_delta", "index": index, "delta": d}) for d in deltas]
    events.append(("content_block_stop", {"type": "content_block_stop", "index": index}))
    return events


def _start_and_deltas(block: dict[str, Any], cuts: Cuts) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The block as content_block_start carries it, and the deltas that complete it."""
    kind = block.get("type")
    if kind == "text":
        citations = block.get("citations")
        deltas = [{"type": "citations_delta", "citation": c} for c in citations or ()]
        deltas += [{"type": "text_delta", "text": t} for t in cuts.text(block["text"])]
        return {**block, "text": "", "citations": [] if citations else citations}, deltas
    if kind == "thinking":
        deltas = [{"type": "thinking_delta", "thinking": t} for t in cuts.thinking(block["thinking"])]
        deltas.append({"type": "signature_delta", "signature": block["signature"]})
        return {**block, "thinking": "", "signature": ""}, deltas
    if kind in TOOL_USES:
        fragments = cuts.tool_input(block["input"])
        return {**block, "input": {}}, [{"type": "input_json_delta", "partial_json": p} for p in fragments]
    if kind == "compaction":  # the summary arrives whole, in one delta
        delta = {"type": "compaction_delta", "content": block.get("content"),
                 "encrypted_content": block.get("encrypted_content")}
        return {**block, "content": None, "encrypted_content": None}, [delta]
    return block, []  # result blocks and types this server does not know arrive whole

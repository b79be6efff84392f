"""Server-sent events as a client reads them: parsing, the three stream grammars, accumulation."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..http.sse import sse_field


@dataclass(frozen=True, slots=True)
class SseEvent:
    name: str | None
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


@dataclass(slots=True)
class SseStream:
    events: list[SseEvent]
    unterminated: str  # what followed the last blank line; a complete stream leaves nothing


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def parse_sse(body: bytes) -> SseStream:
    """Events as the SSE standard reads them: CRLF, CR or LF line ends; comments and ids skipped."""
    lines = _LINE_BREAK.split(body.decode("utf-8"))
    events, name, data = [], None, []
    for line in lines[:-1]:
        if not line:
            if data:
                events.append(SseEvent(name, "\n".join(data)))
            name, data = None, []
        elif not line.startswith(":"):
            key, value = sse_field(line)
            if key == "event":
                name = value
            elif key == "data":
                data.append(value)
    rest = "\n".join([*(["data: " + d for d in data]), lines[-1]]).strip()
    return SseStream(events, rest)


DELTA_BLOCKS = {"text_delta": ("text",), "citations_delta": ("text",), "thinking_delta": ("thinking",),
                "signature_delta": ("thinking",), "compaction_delta": ("compaction",),
                "input_json_delta": ("tool_use", "server_tool_use", "mcp_tool_use")}


def message_stream_problems(events: list[SseEvent]) -> list[str]:
    """The Messages grammar: message_start, (content_block_start, deltas, content_block_stop)*,
    message_delta+, message_stop; indexes 0, 1, 2... in order; each delta fits its block's type; pings
    anywhere in between; every event named, its name equal to its payload's `type`; an `error` event
    ends the stream. Unknown event and delta types are allowed: the API may add them."""
    problems: list[str] = []
    open_index, open_type, next_index, stage = None, None, 0, "start"
    for position, event in enumerate(events):
        where = f"event #{position} ({event.name or 'unnamed'})"
        payload = payload_of(event)
        if event.name is None:
            problems.append(f"{where}: no `event:` line")
            continue
        if not isinstance(payload, dict) or payload.get("type") != event.name:
            problems.append(f"{where}: payload type {_type_of(payload)!r} differs from the event name")
            continue
        if stage == "start":
            if event.name != "message_start":
                problems.append(f"{where}: the stream must open with message_start")
            stage = "blocks"
            continue
        if stage == "done":
            problems.append(f"{where}: event after message_stop")
            continue
        if event.name in ("ping",):
            continue
        if event.name == "error":
            stage = "error"
            if position != len(events) - 1:
                problems.append(f"{where}: events follow an error event")
            continue
        index = payload.get("index")
        if event.name == "content_block_start":
            if stage != "blocks" or open_index is not None:
                problems.append(f"{where}: a block starts while block {open_index} is open or after message_delta")
            if index != next_index:
                problems.append(f"{where}: index {index}, expected {next_index}")
            open_index, open_type, next_index = index, _type_of(payload.get("content_block")), next_index + 1
        elif event.name in ("content_block_delta", "content_block_stop"):
            if open_index is None or index != open_index:
                problems.append(f"{where}: index {index} but the open block is {open_index}")
            delta_type = _type_of(payload.get("delta"))
            if event.name == "content_block_delta" and open_type not in DELTA_BLOCKS.get(delta_type, (open_type,)):
                problems.append(f"{where}: a {delta_type} in a {open_type} block")
            if event.name == "content_block_stop":
                open_index = None
        elif event.name == "message_delta":
            if open_index is not None:
                problems.append(f"{where}: message_delta while block {open_index} is open")
            stage = "closing"
        elif event.name == "message_stop":
            if stage != "closing":
                problems.append(f"{where}: message_stop without a message_delta before it")
            stage = "done"
    if not events:
        problems.append("the stream has no events")
    elif stage not in ("done", "error"):
        problems.append(f"the stream ends without message_stop (last event: {events[-1].name})")
    return problems


def completion_stream_problems(events: list[SseEvent]) -> list[str]:
    """Legacy completions: named `completion` events (and pings); the last completion has a stop_reason."""
    problems = [f"event #{i}: no `event:` line" for i, e in enumerate(events) if e.name is None]
    completions = [payload_of(e) for e in events if e.name == "completion"]
    if events and events[-1].name == "error":
        return problems
    if not completions or not isinstance(completions[-1], dict) or completions[-1].get("stop_reason") is None:
        problems.append("the last completion event has no stop_reason")
    return problems


def chat_stream_problems(events: list[SseEvent]) -> list[str]:
    """The OpenAI-compatible stream: data-only chunks, one id, terminated by `data: [DONE]`."""
    problems = [f"event #{i}: named {e.name!r}, expected data-only events" for i, e in enumerate(events) if e.name]
    if not events or events[-1].data != "[DONE]":
        problems.append("the stream does not end with data: [DONE]")
    ids = {_type_of(payload_of(e), "id") for e in events[:-1]}
    if len(ids) > 1:
        problems.append(f"chunks carry different ids: {sorted(map(str, ids))}")
    return problems


STREAM_GRAMMARS: dict[str, Callable[[list[SseEvent]], list[str]]] = {
    "messages_create": message_stream_problems,
    "completions_create": completion_stream_problems,
    "chat_completions_create": chat_stream_problems,
}


def accumulate_message(events: Iterable[SseEvent]) -> dict[str, Any]:
    """The Message a client builds from a stream, the way the official SDKs accumulate it."""
    message: dict[str, Any] = {}
    partial_json: dict[int, str] = {}
    for event in events:
        payload = payload_of(event)
        kind = payload.get("type") if isinstance(payload, dict) else None
        if kind == "message_start":
            message = copy.deepcopy(payload["message"])
        elif kind == "content_block_start":
            message["content"].append(copy.deepcopy(payload["content_block"]))
            if payload["content_block"].get("type") == "fallback":
                message["model"] = payload["content_block"].get("to", {}).get("model", message.get("model"))
        elif kind == "content_block_delta":
            _apply_delta(message["content"][payload["index"]], payload["delta"], partial_json, payload["index"])
        elif kind == "content_block_stop" and partial_json.get(payload["index"]):
            message["content"][payload["index"]]["input"] = json.loads(partial_json[payload["index"]])
        elif kind == "message_delta":
            _apply_message_delta(message, payload)
    return message


def _apply_delta(block: dict[str, Any], delta: dict[str, Any], partial_json: dict[int, str], index: int) -> None:
    kind = delta.get("type")
    if kind == "text_delta":
        block["text"] = block.get("text", "") + delta["text"]
    elif kind == "citations_delta":
        block["citations"] = [*(block.get("citations") or []), delta["citation"]]
    elif kind == "thinking_delta":
        block["thinking"] = block.get("thinking", "") + delta["thinking"]
    elif kind == "signature_delta":
        block["signature"] = delta["signature"]
    elif kind == "input_json_delta":
        partial_json[index] = partial_json.get(index, "") + delta["partial_json"]
    elif kind == "compaction_delta":
        block["content"] = delta.get("content")
        block["encrypted_content"] = delta.get("encrypted_content")


def _apply_message_delta(message: dict[str, Any], payload: dict[str, Any]) -> None:
    delta = payload.get("delta", {})
    for key in ("stop_reason", "stop_sequence", "stop_details"):
        message[key] = delta.get(key)
    for key in ("container",):
        if delta.get(key) is not None:
            message[key] = delta[key]
    for key in ("context_management", "input_transformations"):
        if payload.get(key) is not None:
            message[key] = payload[key]
    usage = message.setdefault("usage", {})
    usage.update({k: v for k, v in (payload.get("usage") or {}).items() if v is not None})


def payload_of(event: SseEvent) -> Any:
    try:
        return event.json()
    except ValueError:
        return None


def _type_of(payload: Any, key: str = "type") -> Any:
    return payload.get(key) if isinstance(payload, dict) else None

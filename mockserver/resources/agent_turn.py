"""One agent turn of a Managed Agents session, answered by the same engine as Messages.

The session's history becomes a Messages request (the agent's model, system prompt and custom
tools); the engine's Message becomes session events: `session.status_running`, `agent.thinking`,
`agent.message`, `agent.custom_tool_use`, then `session.status_idle` whose stop reason is
`requires_action` (naming the tool calls) or `end_turn`. An engine error becomes a `session.error`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable

from .. import engine
from ..call import Call
from ..db import ObjectStore
from ..http.errors import ApiError
from .services import engine_context, store_of
from .stamps import rfc3339
from .webhooks import emit

if TYPE_CHECKING:
    from ..state import AppState

MAX_TOKENS = 4096
_PREFIX = "sevt_"


def turn_runner(state: AppState) -> Callable[[Call, dict[str, Any]], Awaitable[None]]:
    heavy = state.offload.for_body

    def synthesise(request: dict[str, Any], call: Call) -> dict[str, Any]:
        ctx = engine_context(state, rng=call.rng(), now=call.received_at, betas=call.betas, version=call.version,
                             beta_path=True)
        return engine.create_message(request, ctx)

    async def run(call: Call, session: dict[str, Any]) -> None:
        store, now, session_id = store_of(call), call.received_at, session["id"]
        _set_status(store, session_id, "running", now)
        append_event(store, session_id, {"type": "session.status_running"}, now)
        emit(call, "session.status_run_started", session_id)
        request = messages_request(session, store.all("session_event", parent=session_id))
        try:
            message = await heavy(call.raw_body, synthesise, request, call)
        except ApiError as failure:
            append_event(store, session_id, {"type": "session.error", "error": {
                "type": "unknown_error", "message": failure.message, "retry_status": {"type": "terminal"}}}, now)
            go_idle(store, session_id, now, {"type": "end_turn"})
            emit(call, "session.status_idled", session_id)
            return
        calls = _append_reply(store, session_id, message, now)
        _add_usage(store, session_id, message["usage"])
        go_idle(store, session_id, now, {"type": "requires_action", "event_ids": calls} if calls
                else {"type": "end_turn"})
        emit(call, "session.status_idled", session_id)

    return run


def append_event(store: ObjectStore, session_id: str, event: dict[str, Any], now: float) -> dict[str, Any]:
    doc = {key: value for key, value in event.items() if key != "id"}
    doc["processed_at"] = now
    return store.insert("session_event", doc, prefix=_PREFIX, parent=session_id)


def go_idle(store: ObjectStore, session_id: str, now: float, stop_reason: dict[str, Any]) -> None:
    _set_status(store, session_id, "idle", now)
    append_event(store, session_id, {"type": "session.status_idle", "stop_reason": stop_reason}, now)


def render_event(doc: dict[str, Any]) -> dict[str, Any]:
    return {**doc, "processed_at": rfc3339(doc["processed_at"])}


def messages_request(session: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, Any]:
    agent = session["agent"]
    tools = [{"name": tool["name"], "description": tool["description"], "input_schema": tool["input_schema"]}
             for tool in agent["tools"] if tool["type"] == "custom"]
    request: dict[str, Any] = {"model": agent["model"]["id"], "max_tokens": MAX_TOKENS,
                               "messages": _conversation(history)}
    if agent.get("system"):
        request["system"] = agent["system"]
    if tools:
        request["tools"] = tools
    return request


def _conversation(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Session events as alternating Messages turns (adjacent blocks of one role are merged)."""
    turns: list[dict[str, Any]] = []

    def add(role: str, blocks: list[dict[str, Any]]) -> None:
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": list(blocks)})

    for event in history:
        kind = event["type"]
        if kind == "user.message":
            add("user", [block for block in event.get("content") or [] if block.get("type") == "text"])
        elif kind == "agent.message":
            add("assistant", [{"type": "text", "text": block["text"]} for block in event["content"]])
        elif kind == "agent.custom_tool_use":
            add("assistant", [{"type": "tool_use", "id": _tool_id(event["id"]), "name": event["name"],
                               "input": event["input"]}])
        elif kind == "user.custom_tool_result":
            add("user", [{"type": "tool_result", "tool_use_id": _tool_id(event.get("custom_tool_use_id", "")),
                          "content": _text_blocks(event.get("content")), "is_error": bool(event.get("is_error"))}])
    return [turn for turn in turns if turn["content"]] or [{"role": "user", "content": "Hello"}]


def _append_reply(store: ObjectStore, session_id: str, message: dict[str, Any], now: float) -> list[str]:
    """Store the Message's blocks as agent events; the ids of its tool calls."""
    texts = [{"type": "text", "text": block["text"]} for block in message["content"] if block["type"] == "text"]
    calls: list[str] = []
    if any(block["type"] in ("thinking", "redacted_thinking") for block in message["content"]):
        append_event(store, session_id, {"type": "agent.thinking"}, now)
    if texts:
        append_event(store, session_id, {"type": "agent.message", "content": texts}, now)
    for block in message["content"]:
        if block["type"] == "tool_use":
            event = append_event(store, session_id, {"type": "agent.custom_tool_use", "name": block["name"],
                                                     "input": block["input"]}, now)
            calls.append(event["id"])
    return calls


def _add_usage(store: ObjectStore, session_id: str, usage: dict[str, Any]) -> None:
    def add(doc: dict[str, Any]) -> None:
        for name in ("input_tokens", "output_tokens", "cache_read_input_tokens"):
            doc["usage"][name] = doc["usage"].get(name, 0) + (usage.get(name) or 0)

    store.update("session", session_id, add)


def _set_status(store: ObjectStore, session_id: str, status: str, now: float) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc.update(status=status, updated_at=now)

    store.update("session", session_id, change)


def _text_blocks(content: Any) -> list[dict[str, Any]]:
    return [{"type": "text", "text": block["text"]} for block in content or [] if block.get("type") == "text"]


def _tool_id(event_id: str) -> str:
    """Messages wants `toolu_` ids; the session's tool calls are named by their event ids."""
    return "toolu_" + event_id.removeprefix(_PREFIX)

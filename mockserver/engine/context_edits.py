"""Context editing (beta `context-management-2025-06-27`): the prompt the model sees.

The request's `context_management.edits` run in order, each against the prompt the previous
ones left, counted with the mock's tokenizer (`input_tokens.segments`):

- `clear_tool_uses_20250919` fires when the prompt has more than `trigger` input tokens
  (default 100,000) or, with a `tool_uses` trigger, more than `value` tool uses. It clears the
  oldest tool results (their content becomes a short placeholder), keeping the `keep` most
  recent tool uses (default 3) and every use of an `exclude_tools` tool; `clear_tool_inputs`
  (true, or a list of tool names) empties the matching `tool_use` inputs too. If the tokens
  saved are fewer than `clear_at_least`, nothing is cleared.
- `clear_thinking_20251015` drops the thinking blocks of all but the last `keep` assistant turns
  that have some (default 1; `"all"` keeps every one).

An edit that clears something is reported in `context_management.applied_edits`. A `compaction`
block in an assistant turn (see compaction.py) makes the prompt start at that block, unless its
`content` is null (a failed compaction, which the API treats as a no-op).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import input_tokens
from .conversation import blocks
from .tokenizer import Memo

BETA = "context-management-2025-06-27"
CLEAR_TOOL_USES = "clear_tool_uses_20250919"
CLEAR_THINKING = "clear_thinking_20251015"
COMPACT = "compact_20260112"
DEFAULT_TOOL_TRIGGER = 100_000
DEFAULT_TOOL_KEEP = 3
DEFAULT_THINKING_KEEP = 1
PLACEHOLDER = "[tool result cleared]"
_THINKING = ("thinking", "redacted_thinking")


@dataclass(slots=True)
class Managed:
    request: dict[str, Any]  # the request with the prompt the model sees
    original_tokens: int  # input tokens before any edit
    tokens: int  # input tokens after the edits
    applied: list[dict[str, Any]] = field(default_factory=list)
    compact: dict[str, Any] | None = None  # the compact_20260112 edit, if the request has one


def manage(request: dict[str, Any], count: Memo) -> Managed:
    seen = {**request, "messages": from_last_compaction(request.get("messages") or [])}
    original = _total(seen, count)
    managed = Managed(seen, original, original)
    for edit in (request.get("context_management") or {}).get("edits") or ():
        kind = edit.get("type")
        if kind == CLEAR_TOOL_USES:
            _clear_tool_uses(managed, edit, count)
        elif kind == CLEAR_THINKING:
            _clear_thinking(managed, edit, count)
        elif kind == COMPACT:
            managed.compact = edit
    return managed


def from_last_compaction(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages from the last compaction block on: the API drops what it summarised."""
    for i in range(len(messages) - 1, -1, -1):
        content = messages[i].get("content")
        if messages[i].get("role") != "assistant" or not isinstance(content, list):
            continue
        at = [j for j, b in enumerate(content)  # a block with null content is a failed compaction: a no-op
              if isinstance(b, dict) and b.get("type") == "compaction" and b.get("content") is not None]
        if at:
            return [{**messages[i], "content": content[at[-1]:]}, *messages[i + 1:]]
    return messages


def _total(request: dict[str, Any], count: Memo) -> int:
    return sum(s.tokens for s in input_tokens.segments(request, count))


def _tool_uses(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [b for m in messages if m.get("role") == "assistant"
            for b in blocks(m) if isinstance(b, dict) and b.get("type") == "tool_use"]


def _clear_tool_uses(managed: Managed, edit: dict[str, Any], count: Memo) -> None:
    messages = managed.request["messages"]
    uses = _tool_uses(messages)
    trigger = edit.get("trigger") or {"type": "input_tokens", "value": DEFAULT_TOOL_TRIGGER}
    measured = len(uses) if trigger.get("type") == "tool_uses" else managed.tokens
    if measured <= trigger.get("value", 0):
        return
    keep = (edit.get("keep") or {}).get("value", DEFAULT_TOOL_KEEP)
    excluded = set(edit.get("exclude_tools") or ())
    older = uses[:max(0, len(uses) - keep)]
    chosen = {b.get("id"): b.get("name") for b in older if b.get("name") not in excluded}
    if not chosen:
        return
    inputs = edit.get("clear_tool_inputs")
    clear_input = {i for i, name in chosen.items() if inputs is True or (isinstance(inputs, list) and name in inputs)}
    edited = [_without_tool_content(m, chosen, clear_input) for m in messages]
    after = _total({**managed.request, "messages": edited}, count)
    saved = max(0, managed.tokens - after)
    if saved < ((edit.get("clear_at_least") or {}).get("value") or 0):
        return
    managed.request = {**managed.request, "messages": edited}
    managed.tokens = after
    managed.applied.append({"type": CLEAR_TOOL_USES, "cleared_tool_uses": len(chosen), "cleared_input_tokens": saved})


def _without_tool_content(message: dict[str, Any], results: dict[Any, Any], inputs: set[Any]) -> dict[str, Any]:
    content = message.get("content")
    if not isinstance(content, list):
        return message
    out = []
    for block in content:
        if not isinstance(block, dict):
            out.append(block)
        elif block.get("type") == "tool_result" and block.get("tool_use_id") in results:
            out.append({**block, "content": PLACEHOLDER})
        elif block.get("type") == "tool_use" and block.get("id") in inputs:
            out.append({**block, "input": {}})
        else:
            out.append(block)
    return {**message, "content": out}


def _clear_thinking(managed: Managed, edit: dict[str, Any], count: Memo) -> None:
    keep = edit.get("keep") or {"type": "thinking_turns", "value": DEFAULT_THINKING_KEEP}
    if keep == "all" or keep.get("type") == "all":
        return
    messages = managed.request["messages"]
    thinking_turns = [i for i, m in enumerate(messages) if m.get("role") == "assistant" and _thinking_of(m)]
    cleared = thinking_turns[:max(0, len(thinking_turns) - keep.get("value", DEFAULT_THINKING_KEEP))]
    if not cleared:
        return
    model = managed.request.get("model")
    tokens = sum(input_tokens.block_tokens(b, True, count, model) for i in cleared for b in _thinking_of(messages[i]))
    edited = [_without_thinking(m) if i in cleared else m for i, m in enumerate(messages)]
    managed.request = {**managed.request, "messages": edited}
    managed.tokens = _total(managed.request, count)
    managed.applied.append({"type": CLEAR_THINKING, "cleared_thinking_turns": len(cleared),
                            "cleared_input_tokens": tokens})


def _thinking_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in blocks(message) if isinstance(b, dict) and b.get("type") in _THINKING]


def _without_thinking(message: dict[str, Any]) -> dict[str, Any]:
    return {**message, "content": [b for b in blocks(message) if not (isinstance(b, dict) and b.get("type") in _THINKING)]}

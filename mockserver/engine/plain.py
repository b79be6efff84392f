"""The common case, read in one pass: a conversation of plain strings.

Most Messages calls are a system string and string turns, with no tools, thinking, prompt
caching, structured output, containers or documents. For those, one loop over the messages
gives what the general path's turns, segments and plan would come to: the last user text, the
prefill and the input tokens. `messages.create_message` then answers them through the same
checks, drafts and budget rule as any other request, so the reply is the same byte for byte
(tests/engine/test_plain.py holds the two paths equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import token_fit
from .tokenizer import count

# Any of these, even empty, sends a request down the general path.
GENERAL_ONLY = frozenset({
    "tools", "tool_choice", "thinking", "output_config", "output_format", "cache_control", "container",
    "context_management", "mcp_servers",
})


@dataclass(slots=True)
class PlainRequest:
    last_user_text: str
    prefill: str | None  # text of a final assistant turn
    input_tokens: int


def read_plain(request: dict[str, Any]) -> PlainRequest | None:
    """The request as a plain conversation, or None when it needs the general path."""
    if not GENERAL_ONLY.isdisjoint(request):
        return None
    fit = token_fit.for_model(request.get("model"))
    ratio, message_cost = fit["text"], fit["message"]
    tokens = round(fit["request"])  # rounded segment by segment, as input_tokens.segments rounds them
    system = request.get("system")
    if system:
        if type(system) is not str:
            return None
        tokens += round(fit["system"] + ratio * count(system))
    role = None
    turn: list[str] = []  # the texts of the current turn: consecutive same-role messages merge
    user_turn: list[str] = []
    for message in request.get("messages") or ():
        content = message.get("content")
        if type(content) is not str:
            return None
        tokens += round(message_cost + (ratio * count(content) if content else 0.0))
        if message.get("role") != role:
            role, turn = message.get("role"), []
            if role == "user":
                user_turn = turn
        turn.append(content)
    prefill = _joined(turn) if role == "assistant" else None
    return PlainRequest(_joined(user_turn), prefill, tokens)


def _joined(texts: list[str]) -> str:
    """As `conversation.text_of` joins a turn's text blocks."""
    return "\n".join(t for t in texts if t)

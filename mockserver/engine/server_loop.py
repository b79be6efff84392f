"""The server-tool sampling loop: its iteration limit (pause_turn) and per-iteration usage.

The API runs server tools in a loop of sampling iterations, each one ended by a server tool call
whose result starts the next. The loop stops at its limit (10 iterations) with stop_reason
"pause_turn"; sending the reply back as the last assistant turn lets it continue. Trigger: with
the web fetch tool, a last user turn with more distinct URLs than the limit (each URL is one
fetch, one iteration). Replies that ran server tools report `usage.iterations`, one `message`
entry per sampling iteration, whose output tokens add up to the reply's.
"""

from __future__ import annotations

import random
from typing import Any

from . import tokenizer
from .conversation import Conversation
from .drafts import Draft
from .server_tools import ServerRun, fetch_url, urls_in
from .tools import call_tokens

ITERATION_LIMIT = 10


def fetch_tool_if_paused(server: list[dict[str, Any]], convo: Conversation) -> dict[str, Any] | None:
    """The web fetch tool when this turn's fetches outrun the loop's limit, else None."""
    fetcher = next((t for t in server if (t.get("type") or "").startswith("web_fetch")), None)
    if fetcher is None or len(urls_in(convo.last_user_text)) <= ITERATION_LIMIT:
        return None
    return fetcher


def paused_fetches(tool: dict[str, Any], convo: Conversation, rng: random.Random, now: float) -> list[Draft]:
    """The fetches the loop gets through before it pauses: one per iteration, up to the limit."""
    out = ServerRun()
    for url in urls_in(convo.last_user_text)[:ITERATION_LIMIT]:
        fetch_url(tool, url, rng, now, out)
    return out.drafts


def iterations(content: list[dict[str, Any]], usage: dict[str, Any]) -> list[dict[str, Any]] | None:
    """usage.iterations for a reply that ran server tools (None when it ran none)."""
    if not any(b.get("type") == "server_tool_use" for b in content):
        return None
    outputs = [0]
    for block in content:
        outputs[-1] += _cost(block)
        if block.get("type", "").endswith("_tool_result") and block is not content[-1]:
            outputs.append(0)  # a server tool's result starts the next sampling iteration
    outputs[-1] = max(0, usage["output_tokens"] - sum(outputs[:-1]))
    entries, seen = [], usage["input_tokens"]
    for i, output in enumerate(outputs):
        entries.append({"type": "message", "input_tokens": seen, "output_tokens": output,
                        "cache_creation_input_tokens": usage["cache_creation_input_tokens"] if i == 0 else 0,
                        "cache_read_input_tokens": usage["cache_read_input_tokens"] if i == 0 else 0})
        seen += output
    return entries


def _cost(block: dict[str, Any]) -> int:
    kind = block.get("type")
    if kind == "text":
        return tokenizer.count(block["text"])
    if kind == "thinking":
        return tokenizer.count(block["thinking"])
    if kind in ("server_tool_use", "tool_use"):
        return call_tokens(block)
    return 0

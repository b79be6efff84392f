"""The server-tool sampling loop: its iteration limit (pause_turn) and per-iteration usage.

The API runs server tools in a loop of sampling iterations, each one ended by a server tool call
whose result starts the next. The loop stops at its limit (10 iterations) with stop_reason
"pause_turn"; sending the reply back as the last assistant turn continues it. Trigger: with
the web fetch tool, a last user turn with more distinct URLs than the limit (each URL is one
fetch, one iteration). Replies that ran server tools report `usage.iterations` (beta path), one
`message` entry per sampling iteration, whose output tokens add up to the reply's; each
iteration re-reads the prompt and what the loop produced so far, and the top-level input tokens
are the sum of the iterations' (so a loop costs more than `count_tokens` says for its prompt).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from . import input_tokens, tokenizer
from .conversation import Conversation
from .drafts import Draft
from .input_tokens import Counter
from .server_tools import ServerRun, fetch_url, urls_in
from .tools import call_tokens

ITERATION_LIMIT = 10


@dataclass(slots=True)
class FetchLoop:
    tool: dict[str, Any]
    urls: list[str]  # fetched by this reply, one iteration each
    paused: bool  # the loop reaches its limit: no answer this turn


def fetch_loop(server: list[dict[str, Any]], convo: Conversation) -> FetchLoop | None:
    """The fetches of a loop that pauses, or of a paused one resumed; None for an ordinary turn.

    A paused turn resumes when the client sends the paused reply back as the final assistant
    turn: the URLs it fetched are skipped, the rest fetched (pausing again past the limit)."""
    fetcher = next((t for t in server if (t.get("type") or "").startswith("web_fetch")), None)
    if fetcher is None:
        return None
    done = _fetched_before(convo)
    todo = [url for url in urls_in(convo.last_user_text) if url not in done]
    if len(todo) > ITERATION_LIMIT:
        return FetchLoop(fetcher, todo[:ITERATION_LIMIT], True)
    return FetchLoop(fetcher, todo, False) if done else None


def fetches(loop: FetchLoop, rng: random.Random, now: float) -> list[Draft]:
    out = ServerRun()
    for url in loop.urls:
        fetch_url(loop.tool, url, rng, now, out)
    return out.drafts


def _fetched_before(convo: Conversation) -> set[str]:
    """URLs fetched in a final assistant turn (a paused reply sent back to continue)."""
    if not convo.turns or convo.turns[-1][0] != "assistant":
        return set()
    return {str((b.get("input") or {}).get("url")) for b in convo.turns[-1][1]
            if isinstance(b, dict) and b.get("type") == "server_tool_use" and b.get("name") == "web_fetch"}


def iterations(content: list[dict[str, Any]], usage: dict[str, Any], count: Counter) -> list[dict[str, Any]] | None:
    """usage.iterations for a reply that ran server tools (None when it ran none).

    Each sampling iteration reads the whole prompt again plus everything the loop produced so
    far: the model's own blocks (as output tokens) and the server tools' results (as input,
    `input_tokens.block_cost`). The first iteration carries the request's cache split."""
    if not any(b.get("type") == "server_tool_use" for b in content):
        return None
    outputs, results = [0], [0.0]
    for block in content:
        outputs[-1] += _cost(block)
        if block.get("type", "").endswith("_tool_result") and block is not content[-1]:
            results[-1] += input_tokens.block_cost(block, True, count)
            outputs.append(0)  # a server tool's result starts the next sampling iteration
            results.append(0.0)
    outputs[-1] = max(0, usage["output_tokens"] - sum(outputs[:-1]))
    entries, seen = [], usage["input_tokens"] + usage["cache_creation_input_tokens"] + usage["cache_read_input_tokens"]
    nothing_cached = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}
    for i, output in enumerate(outputs):  # the prompt cache is written (and read) by the first iteration only
        first = i == 0
        entries.append({"type": "message", "input_tokens": usage["input_tokens"] if first else seen,
                        "output_tokens": output,
                        "cache_creation_input_tokens": usage["cache_creation_input_tokens"] if first else 0,
                        "cache_read_input_tokens": usage["cache_read_input_tokens"] if first else 0,
                        "cache_creation": dict(usage.get("cache_creation") or nothing_cached) if first
                        else dict(nothing_cached)})
        seen += output + round(results[i])
    return entries


def loop_input(prompt_tokens: int, content: list[dict[str, Any]], count: Counter) -> int:
    """The input tokens a loop that produced `content` bills for a prompt of `prompt_tokens`."""
    usage = {"input_tokens": prompt_tokens, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
             "output_tokens": sum(_cost(b) for b in content)}
    entries = iterations(content, usage, count)
    return prompt_tokens if entries is None else sum(entry["input_tokens"] for entry in entries)


def bill(usage: dict[str, Any], entries: list[dict[str, Any]]) -> None:
    """The top-level input tokens of a loop: every iteration's (the API bills each sampling pass)."""
    usage["input_tokens"] = sum(entry["input_tokens"] for entry in entries)


def _cost(block: dict[str, Any]) -> int:
    kind = block.get("type")
    if kind == "text":
        return tokenizer.count(block["text"])
    if kind == "thinking":
        return tokenizer.count(block["thinking"])
    if kind in ("server_tool_use", "tool_use"):
        return call_tokens(block)
    return 0

"""Server compaction (the `compact_20260112` context-management edit, beta `compact-2026-01-12`).

When the prompt (after the other edits) has more than `trigger.value` input tokens (default
150,000), the reply opens with a `compaction` block: a summary of the conversation, the same for
the same conversation. The model then answers from that summary: the `message` iteration's input
is the tools, the system prompt and the summary. With `pause_after_compaction` the reply is the
compaction block alone and stops with `stop_reason: "compaction"`.

`usage.iterations` lists the compaction (its input is the whole prompt, its output the summary)
and, unless paused, the message; the top-level `input_tokens`/`output_tokens` count the message
iterations only, as the API's do (billing is the sum of all iterations).
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

import orjson

from . import input_tokens, prose, tokenizer
from .context_edits import Managed
from .tokenizer import Memo

DEFAULT_TRIGGER = 150_000
SUMMARY_LEAD = "Summary of the conversation so far: "


def triggered(managed: Managed) -> bool:
    edit = managed.compact
    if edit is None:
        return False
    return managed.tokens > ((edit.get("trigger") or {}).get("value") or DEFAULT_TRIGGER)


def paused(managed: Managed) -> bool:
    return bool((managed.compact or {}).get("pause_after_compaction"))


def block(managed: Managed) -> dict[str, Any]:
    """The compaction block: a summary seeded by the conversation alone (not the request's draws)."""
    digest = hashlib.blake2b(orjson.dumps(managed.request.get("messages"), option=orjson.OPT_SORT_KEYS),
                             digest_size=8).digest()
    rng = random.Random(int.from_bytes(digest, "big"))
    target = min(1_000, max(100, managed.tokens // 200))
    summary, _ = prose.answer(rng, target)
    return {"type": "compaction", "content": SUMMARY_LEAD + summary, "encrypted_content": None}


def compacted_input(managed: Managed, summary: dict[str, Any], count: Memo) -> int:
    """Input tokens of the message iteration: what the summary leaves of the prompt."""
    after = {**managed.request, "messages": [{"role": "assistant", "content": [summary]}]}
    return sum(s.tokens for s in input_tokens.segments(after, count))


def apply(message: dict[str, Any], managed: Managed, count: Memo) -> None:
    """Puts the compaction block first in `message` and accounts for it in its usage."""
    summary = block(managed)
    usage = message["usage"]
    compaction = _iteration("compaction", managed.tokens, tokenizer.count(summary["content"]))
    if paused(managed):
        message.update(content=[summary], stop_reason="compaction", stop_sequence=None)
        usage.update(input_tokens=0, output_tokens=0, cache_creation_input_tokens=0, cache_read_input_tokens=0,
                     iterations=[compaction])
        usage["cache_creation"] = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}
        usage.pop("output_tokens_details", None)
        return
    message["content"] = [summary, *message["content"]]
    reply = _iteration("message", compacted_input(managed, summary, count), usage["output_tokens"])
    reply["model"] = message["model"]
    usage.update(input_tokens=reply["input_tokens"], cache_creation_input_tokens=0, cache_read_input_tokens=0,
                 iterations=[compaction, reply])
    usage["cache_creation"] = {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}


def _iteration(kind: str, input_count: int, output_count: int) -> dict[str, Any]:
    return {"type": kind, "input_tokens": input_count, "output_tokens": output_count,
            "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
            "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0}}

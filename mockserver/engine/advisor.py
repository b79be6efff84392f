"""The advisor tool (`advisor_20260301`): the API asks a stronger model for guidance mid-reply.

Trigger (tool_choice auto or any, or the tool named): the last user turn says advisor, advice,
advise, guidance or opinion. The reply then opens with a `server_tool_use` named "advisor" (empty
input: the advisor reads the whole conversation) and its `advisor_tool_result` holding an
`advisor_result` (a few sentences; cut at the tool's `max_tokens` with stop_reason "max_tokens").
`max_uses` counts calls within one request, and the mock's reply makes one: with `max_uses: 0` the
result is an `advisor_tool_result_error` with error_code "max_uses_exceeded".
"""

from __future__ import annotations

import random
from typing import Any

from ..ids import new_id
from . import prose, tokenizer
from .conversation import Conversation
from .drafts import CALL, RESULT, Draft

WORDS = frozenset({"advisor", "advice", "advise", "guidance", "opinion"})
ADVICE_SENTENCES = 4


def wanted(convo: Conversation) -> bool:
    return bool(WORDS & convo.words)


def run(tool: dict[str, Any], rng: random.Random) -> list[Draft]:
    use = {"type": "server_tool_use", "id": new_id("srvtoolu_", rng), "name": "advisor", "input": {},
           "caller": {"type": "direct"}}
    max_uses = tool.get("max_uses")
    if isinstance(max_uses, int) and max_uses < 1:
        content: dict[str, Any] = {"type": "advisor_tool_result_error", "error_code": "max_uses_exceeded"}
    else:
        content = _advice(tool, rng)
    result = {"type": "advisor_tool_result", "tool_use_id": use["id"], "content": content}
    return [Draft(CALL, use, tokenizer.count("advisor")), Draft(RESULT, result, 0)]


def _advice(tool: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    text = " ".join(prose.sentence(rng) for _ in range(ADVICE_SENTENCES))
    limit = tool.get("max_tokens")
    if isinstance(limit, int) and 0 < limit < tokenizer.count(text):
        return {"type": "advisor_result", "text": tokenizer.head(text, limit), "stop_reason": "max_tokens"}
    return {"type": "advisor_result", "text": text, "stop_reason": "end_turn"}


"""Thinking blocks: reasoning prose within the budget, with an opaque signature.

`thinking.type: enabled` thinks for a length drawn from the request, never beyond
`budget_tokens`; `adaptive` picks the length from `output_config.effort`. With
`display: "omitted"` the text is empty but the tokens are still billed. The documented test
string for redacted thinking makes the block a `redacted_thinking` one instead.
"""

from __future__ import annotations

import base64
import hashlib
import random
from typing import Any

from . import prose, tokenizer
from .drafts import THINKING, Draft

REDACTED_TRIGGER = "ANTHROPIC_MAGIC_STRING_TRIGGER_REDACTED_THINKING_46C9A13E193C177646C7398A98432ECCCE4C1253"
_EFFORT_SPAN = {"low": (16, 40), "medium": (40, 100), "high": (60, 180), "xhigh": (100, 260), "max": (120, 320)}
_SIGNATURE_KEY = b"mockserver-thinking"


def thinking_drafts(request: dict[str, Any], user_text: str, rng: random.Random, max_tokens: int) -> list[Draft]:
    config = request.get("thinking") or {}
    kind = config.get("type")
    if kind not in ("enabled", "adaptive") or max_tokens <= 0:
        return []
    limit = _limit(config, max_tokens)
    if limit <= 0:
        return []
    if REDACTED_TRIGGER in user_text:
        data = base64.b64encode(rng.randbytes(192)).decode()
        return [Draft(THINKING, {"type": "redacted_thinking", "data": data}, min(limit, 48), hidden=True)]
    low, high = _EFFORT_SPAN.get(_effort(request, kind), (40, 120))
    # The thought is drawn at its natural length whatever the limit, then cut: the same draws
    # either way, so max_tokens never changes what comes after it.
    text, cost = prose.reasoning(rng, low + rng.randrange(high - low + 1))
    if cost > limit:
        text, cost = tokenizer.head(text, limit), limit
    block = {"type": "thinking", "thinking": text, "signature": signature(text, rng)}
    if config.get("display") == "omitted":
        block["thinking"] = ""
        return [Draft(THINKING, block, cost, hidden=True)]
    return [Draft(THINKING, block, cost)]


def _limit(config: dict[str, Any], max_tokens: int) -> int:
    if config.get("type") == "enabled":
        return min(config.get("budget_tokens", max_tokens), max_tokens - 1)
    return max_tokens // 2


def _effort(request: dict[str, Any], kind: str) -> str:
    effort = (request.get("output_config") or {}).get("effort")
    return effort or ("high" if kind == "adaptive" else "medium")


def signature(text: str, rng: random.Random) -> str:
    """Opaque like the real one: a MAC of the thinking text, padded with random bytes."""
    mac = hashlib.blake2b(text.encode(), key=_SIGNATURE_KEY, digest_size=32).digest()
    return base64.b64encode(b"\x12" + mac + rng.randbytes(63)).decode()

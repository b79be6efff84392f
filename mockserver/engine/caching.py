"""Prompt caching: which input tokens were written to, or read from, the prompt cache.

Cache keys: a breakpoint's key is a hash of the model id and of every tool, system block and
message block up to and including the marked block (cache_control itself left out), in the
order tools -> system -> messages. A breakpoint caches only if its prefix has at least the
model's minimum cacheable length. For each request, every breakpoint is looked up and stored
(refreshing its TTL); the longest prefix found is read from cache, the tokens from there to
the last breakpoint are written (split by the TTL of the breakpoint that ends each stretch),
and the tokens after the last breakpoint are plain input.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import orjson

from .context import PromptCache
from .input_tokens import Segment

MAX_BREAKPOINTS = 4
TTL_SECONDS = {"5m": 300, "1h": 3600}


@dataclass(slots=True)  # built for every Messages call: a frozen dataclass's __init__ costs more
class CacheUse:
    input_tokens: int
    read: int = 0
    write_5m: int = 0
    write_1h: int = 0

    @property
    def written(self) -> int:
        return self.write_5m + self.write_1h


def breakpoint_count(request: dict[str, Any], segs: list[Segment]) -> int:
    nested = sum(_nested_marks(s.item) for s in segs)
    own = sum(1 for s in segs if s.cache_control)
    return own + nested + (1 if request.get("cache_control") else 0)


def _nested_marks(item: Any) -> int:
    """Marks inside a tool result beyond the one `segments` already lifted to the block."""
    if not isinstance(item, dict) or item.get("type") != "tool_result" or not isinstance(item.get("content"), list):
        return 0
    marks = sum(1 for b in item["content"] if isinstance(b, dict) and b.get("cache_control"))
    return marks - (0 if item.get("cache_control") else min(marks, 1))


def cache_use(request: dict[str, Any], segs: list[Segment], model_id: str, min_tokens: int,
              cache: PromptCache | None, now: float) -> CacheUse:
    total = sum(s.tokens for s in segs)
    marks = _breakpoints(request, segs)
    if not marks:
        return CacheUse(total)
    digest = hashlib.blake2b(model_id.encode(), digest_size=16)
    position = 0
    found: list[tuple[int, str, str]] = []  # (prefix tokens, ttl, key)
    for i, seg in enumerate(segs):
        position += seg.tokens
        digest.update(seg.role.encode())
        digest.update(orjson.dumps(_keyed(seg.item), option=orjson.OPT_SORT_KEYS))
        if i in marks and position >= min_tokens:
            found.append((position, marks[i], digest.copy().hexdigest()))
    if not found:
        return CacheUse(total)
    read = 0
    for prefix, ttl, key in found:
        if cache is not None and cache.lookup_and_store(key, TTL_SECONDS.get(ttl, 300), now):
            read = max(read, prefix)
    writes = {"5m": 0, "1h": 0}
    start = read
    for prefix, ttl, _ in found:
        if prefix > start:
            writes["1h" if ttl == "1h" else "5m"] += prefix - start
            start = prefix
    last = found[-1][0]
    return CacheUse(total - max(last, read), read, writes["5m"], writes["1h"])


def _breakpoints(request: dict[str, Any], segs: list[Segment]) -> dict[int, str]:
    marks = {i: s.cache_control.get("ttl") or "5m" for i, s in enumerate(segs) if s.cache_control}
    automatic = request.get("cache_control")
    if automatic and len(segs) > 1:
        marks.setdefault(len(segs) - 1, automatic.get("ttl") or "5m")
    return marks


def _keyed(item: Any) -> Any:
    if isinstance(item, dict) and "cache_control" in item:
        return {k: v for k, v in item.items() if k != "cache_control"}
    return item

"""What the engine gets besides the request body: randomness, time, mode and cache memory."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from ..catalog import Catalog


class PromptCache(Protocol):
    def lookup_and_store(self, key: str, ttl_seconds: int, now: float) -> bool:
        """True if `key` was stored less than its ttl ago (and refresh it); store it either way."""
        ...


class MemoryPromptCache:
    """A PromptCache in a dict, for one process (tests, single-worker servers)."""

    def __init__(self) -> None:
        self._expires: dict[str, float] = {}

    def lookup_and_store(self, key: str, ttl_seconds: int, now: float) -> bool:
        hit = self._expires.get(key, -1.0) > now
        self._expires[key] = max(self._expires.get(key, 0.0), now + ttl_seconds)
        return hit

    def clear(self) -> None:
        self._expires.clear()


@dataclass(slots=True)  # not frozen: a frozen dataclass costs a setattr call per field, every request
class EngineContext:
    rng: random.Random  # seeded per request by the caller: the engine's only randomness
    now: float  # epoch seconds, supplied by the caller
    reply_mode: str = "prose"  # "prose" | "echo" (answer with the last user text)
    betas: frozenset[str] = frozenset()
    version: str = "2026-10-21"
    cache: PromptCache | None = None  # None: no caching memory, every breakpoint is a first write
    catalog: Catalog | None = None  # None: the built-in catalog
    service_tier: str | None = None  # forces usage.service_tier (e.g. "batch" inside batches)
    beta_path: bool = False  # called as the SDKs' beta client does (?beta=true or a beta header): beta-only fields

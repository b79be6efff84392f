"""Enforced rate-limit buckets on PostgreSQL, shared by every replica (ratelimit.py's SharedBuckets).

While the database is unreachable the replica keeps limiting with buckets of its own, and says so
in its log, rather than failing every request or letting everything through.
"""

from __future__ import annotations

import threading

from ..db import StoreUnavailable
from ..ratelimit import FullAt, MemoryBuckets, Plan, SharedBuckets
from .connection import PgConnection, log

NAMESPACE = "mock_buckets"
LOCK_KEY = 4

# Keys hold a NUL (api key \0 model), which PostgreSQL text cannot: they are stored as bytes.
SCHEMA = ("CREATE TABLE IF NOT EXISTS buckets (key BYTEA PRIMARY KEY, requests DOUBLE PRECISION, "
          "input DOUBLE PRECISION, output DOUBLE PRECISION)")


class PgBuckets(SharedBuckets):
    def __init__(self, url: str) -> None:
        self._db = PgConnection(url, NAMESPACE, LOCK_KEY, SCHEMA, durable=False)
        self._lock = threading.Lock()
        self._fallback = MemoryBuckets()

    def spend(self, key: str, plan: Plan, now: float, used: tuple[float, float, float], need: tuple[float, ...],
              floor: bool) -> tuple[int, FullAt]:
        try:
            return super().spend(key.encode(), plan, now, used, need, floor)  # type: ignore[arg-type]
        except StoreUnavailable:
            log.warning("mockserver: rate-limit buckets unreachable; limiting with this replica's own")
            return self._fallback.spend(key, plan, now, used, need, floor)

    def items(self) -> list[tuple[str, FullAt]]:
        """Keys come back as the bytes they are stored as: the limiter splits them as text."""
        return [(bytes(key).decode(), full_at) for key, full_at in super().items()]

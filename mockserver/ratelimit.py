"""Rate limits: token buckets per API key and model, the anthropic-ratelimit-* headers, and 429s.

Every Messages response carries the header family. Without `--rate-limit` the buckets use the
Start tier's limits and never refuse (the headers still count down and refill); with
`--rate-limit` they are enforced: a request that finds a bucket empty gets 429
`rate_limit_error` with `retry-after`. Buckets refill continuously (limit per window). They live
in this process, or in a SQLite file shared by all workers when limits are enforced with
several workers.
"""

from __future__ import annotations

import fnmatch
import math
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Protocol

from .faults import parse_duration
from .http.errors import ApiError
from .http.replies import JsonReply, Reply, StreamReply
from .db import connect

DB_NAME = "ratelimits.db"
LIMITED_OPERATIONS = frozenset({"messages_create"})
_DOCS = ("For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers "
         "for current usage. Please reduce the prompt length or the maximum tokens requested, or try again "
         "later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your "
         "options for a rate limit increase.")


@dataclass(frozen=True, slots=True)
class Limits:
    requests: int = 1_000
    input_tokens: int = 2_000_000
    output_tokens: int = 400_000
    window: float = 60.0  # seconds for a bucket to refill from empty


_UNITS = ("requests", "input tokens", "output tokens")
_NAMES = ("requests", "input-tokens", "output-tokens")
_ALIASES = {"requests": "requests", "rpm": "requests", "input_tokens": "input_tokens", "itpm": "input_tokens",
            "output_tokens": "output_tokens", "otpm": "output_tokens", "window": "window"}


def parse_limits(specs: tuple[str, ...]) -> list[tuple[str, Limits]]:
    """`[MODEL_GLOB:]requests=N,input_tokens=N,output_tokens=N,window=60s`, most specific last."""
    table: list[tuple[str, Limits]] = []
    for spec in specs:
        pattern, _, settings = spec.rpartition(":") if "=" in spec.rpartition(":")[2] else ("", "", spec)
        values: dict[str, Any] = {}
        for item in filter(None, (part.strip() for part in settings.split(","))):
            name, found, value = item.partition("=")
            key = _ALIASES.get(name.strip().replace("-", "_"))
            if not found or key is None:
                raise ValueError(f"--rate-limit: cannot read {item!r} (requests=, input_tokens=, output_tokens=, "
                                 "window=)")
            values[key] = parse_duration(value if value[-1:].isalpha() else value + "s") if key == "window" \
                else int(value)
        if any(value <= 0 for value in values.values()):
            raise ValueError(f"--rate-limit: limits and window must be positive: {spec!r}")
        table.append((pattern.strip() or "*", replace(Limits(), **values)))
    return table


def input_token_estimate(body: Any) -> int:
    """Tokens of every string in system, messages and tools: what the API counts before answering."""
    from .engine.tokenizer import count

    if not isinstance(body, dict):
        return 0
    total = 0
    stack = [body.get("system"), body.get("messages"), body.get("tools"), body.get("prompt")]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += count(item)
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return total


# A bucket is the moment it will be full again (GCRA): it holds `capacity - (full_at - now) * rate`
# tokens, spending n tokens pushes full_at by n / rate, and full_at is the reset time to report.
FullAt = list[float]  # [requests, input tokens, output tokens]


class Buckets(Protocol):
    def spend(self, key: str, plan: Plan, now: float, used: tuple[float, float, float], need: tuple[float, ...],
              floor: bool) -> tuple[int, FullAt]: ...

    def reset(self) -> None: ...

    def items(self) -> list[tuple[str, FullAt]]: ...


@dataclass(frozen=True, slots=True)
class Plan:
    """What a Limits means per token: seconds each unit takes to refill, and constant header values."""

    limits: Limits
    seconds_per: tuple[float, float, float]
    limit_headers: tuple[tuple[bytes, bytes], ...]

    @classmethod
    def of(cls, limits: Limits) -> Plan:
        capacities = (limits.requests, limits.input_tokens, limits.output_tokens)
        totals = (*capacities, limits.input_tokens + limits.output_tokens)
        return cls(limits, tuple(limits.window / c for c in capacities),  # type: ignore[arg-type]
                   tuple((names[0], b"%d" % total) for names, total in zip(_HEADER_NAMES, totals)))


def _spend(full_at: FullAt, plan: Plan, now: float, used: tuple[float, float, float], need: tuple[float, ...],
           floor: bool) -> int:
    """Spend `used` unless a bucket holds less than `need` (then return its index, else -1)."""
    window = plan.limits.window
    for i, wanted in enumerate(need):
        if wanted and (full_at[i] - now) > window - wanted * plan.seconds_per[i] + 1e-9:
            return i
    for i in range(3):
        if used[i]:
            moment = (full_at[i] if full_at[i] > now else now) + used[i] * plan.seconds_per[i]
            full_at[i] = now + window if floor and moment > now + window else moment
    return -1


class MemoryBuckets:
    """Buckets per key, in this process."""

    def __init__(self) -> None:
        self._full_at: dict[str, FullAt] = {}

    def spend(self, key: str, plan: Plan, now: float, used: tuple[float, float, float], need: tuple[float, ...],
              floor: bool) -> tuple[int, FullAt]:
        full_at = self._full_at.get(key)
        if full_at is None:
            full_at = self._full_at[key] = [0.0, 0.0, 0.0]
        return _spend(full_at, plan, now, used, need, floor), full_at

    def reset(self) -> None:
        self._full_at.clear()

    def items(self) -> list[tuple[str, FullAt]]:
        return [(key, list(full_at)) for key, full_at in list(self._full_at.items())]


class SharedBuckets:
    """The same buckets in SQLite, read and written in one transaction per use."""

    def __init__(self, path: Path) -> None:
        self._db = connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS buckets (key TEXT PRIMARY KEY, requests REAL, "
                         "input REAL, output REAL)")
        self._lock = threading.Lock()

    def spend(self, key: str, plan: Plan, now: float, used: tuple[float, float, float], need: tuple[float, ...],
              floor: bool) -> tuple[int, FullAt]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute("SELECT requests, input, output FROM buckets WHERE key = ?", (key,)).fetchone()
                full_at = list(row) if row else [0.0, 0.0, 0.0]
                refused = _spend(full_at, plan, now, used, need, floor)
                self._db.execute("INSERT INTO buckets VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
                                 "requests = excluded.requests, input = excluded.input, output = excluded.output",
                                 (key, *full_at))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return refused, full_at

    def reset(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM buckets")

    def items(self) -> list[tuple[str, FullAt]]:
        with self._lock:
            rows = self._db.execute("SELECT key, requests, input, output FROM buckets ORDER BY key").fetchall()
        return [(key, [requests, inputs, outputs]) for key, requests, inputs, outputs in rows]


_HEADER_NAMES = tuple(tuple(f"anthropic-ratelimit-{name}-{part}".encode() for part in ("limit", "remaining", "reset"))
                      for name in (*_NAMES, "tokens"))
_NOTHING = (0.0, 0.0, 0.0)


class RateLimiter:
    def __init__(self, table: list[tuple[str, Limits]], enforce: bool, buckets: Buckets, organization_id: str,
                 clock: Callable[[], float] = time.time) -> None:
        self.enforce = enforce
        self._table = table or [("*", Limits())]
        self._buckets = buckets
        self._org = organization_id
        self._clock = clock
        self._plans: dict[str, Plan] = {}
        self._stamps: dict[int, bytes] = {}

    def limits_for(self, model: str) -> Limits:
        return self._plan(model).limits

    def _plan(self, model: str) -> Plan:
        plan = self._plans.get(model)
        if plan is None:
            limits = next((limits for pattern, limits in reversed(self._table)
                           if pattern == "*" or fnmatch.fnmatchcase(model, pattern)), Limits())
            plan = Plan.of(limits)
            if len(self._plans) < 1024:
                self._plans[model] = plan
        return plan

    def reset(self) -> None:
        self._buckets.reset()

    def levels(self) -> list[tuple[str, str, Limits, tuple[int, int, int], float]]:
        """Each bucket as (api key, model, limits, what it holds now, when it is full again)."""
        now = self._clock()
        found = []
        for key, full_at in self._buckets.items():
            api_key, _, model = key.partition("\0")
            plan = self._plan(model)
            held = tuple(max(0, capacity - int(max(0.0, at - now) / per + 0.5)) for capacity, at, per in
                         zip((plan.limits.requests, plan.limits.input_tokens, plan.limits.output_tokens),
                             full_at, plan.seconds_per))
            found.append((api_key, model, plan.limits, held, max(now, *full_at)))  # type: ignore[arg-type]
        return found

    def admit(self, api_key: str, body: Any, version: str) -> ApiError | None:
        """Take one request from the buckets, or refuse with 429 when one of them is short."""
        model = _model(body)
        plan = self._plan(model)
        now = self._clock()
        need = (1.0, float(min(input_token_estimate(body), plan.limits.input_tokens)), 1.0)
        refused, full_at = self._buckets.spend(f"{api_key}\0{model}", plan, now, (1.0, 0.0, 0.0), need, False)
        return None if refused < 0 else self._refusal(refused, need[refused], full_at, plan, now)

    def stamp(self, api_key: str, body: Any, reply: Reply, taken: bool) -> list[tuple[bytes, bytes]]:
        """Count the reply's tokens (and the request, unless `admit` took it); the headers to send."""
        model = _model(body)
        plan = self._plans.get(model) or self._plan(model)
        now = self._clock()
        used_in, used_out = _usage(reply)
        _, full_at = self._buckets.spend(f"{api_key}\0{model}", plan, now,
                                         (0.0 if taken else 1.0, used_in, used_out), (), not self.enforce)
        return self.headers(full_at, plan, now)

    def headers(self, full_at: FullAt, plan: Plan, now: float) -> list[tuple[bytes, bytes]]:
        limits, per, stamp = plan.limits, plan.seconds_per, self._rfc3339
        at_req, at_in, at_out = full_at
        at_req, at_in, at_out = max(at_req, now), max(at_in, now), max(at_out, now)
        left_in = max(0, limits.input_tokens - int((at_in - now) / per[1] + 0.5))
        left_out = max(0, limits.output_tokens - int((at_out - now) / per[2] + 0.5))
        reset_in, reset_out = stamp(at_in), stamp(at_out)
        r, i, o, t = _HEADER_NAMES
        fixed = plan.limit_headers
        return [
            fixed[0], (r[1], b"%d" % max(0, limits.requests - int((at_req - now) / per[0] + 0.999999))),
            (r[2], stamp(at_req)),
            fixed[1], (i[1], b"%d" % left_in), (i[2], reset_in),
            fixed[2], (o[1], b"%d" % left_out), (o[2], reset_out),
            fixed[3], (t[1], b"%d" % (left_in + left_out)), (t[2], reset_in if at_in > at_out else reset_out),
        ]

    def _refusal(self, index: int, need: float, full_at: FullAt, plan: Plan, now: float) -> ApiError:
        limits = plan.limits
        capacity = (limits.requests, limits.input_tokens, limits.output_tokens)[index]
        wait = full_at[index] - now - (limits.window - need * plan.seconds_per[index])
        per = "per minute" if limits.window == 60 else f"per {limits.window:g} seconds"
        message = (f"This request would exceed the rate limit for your organization ({self._org}) of "
                   f"{capacity:,} {_UNITS[index]} {per}. {_DOCS}")
        headers = {"retry-after": str(max(1, math.ceil(wait)))}
        headers.update((k.decode(), v.decode()) for k, v in self.headers(full_at, plan, now))
        return ApiError("rate_limit_error", message, headers=headers)

    def _rfc3339(self, moment: float) -> bytes:
        second = math.ceil(moment)
        text = self._stamps.get(second)
        if text is None:
            if len(self._stamps) > 256:
                self._stamps.clear()
            text = self._stamps[second] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)).encode()
        return text


def _model(body: Any) -> str:
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else ""


def _usage(reply: Reply) -> tuple[int, int]:
    """(input, output) tokens the reply reports; 0 when it has no usage (errors, raw bodies)."""
    usage: Any = None
    if type(reply) is JsonReply:
        body = reply.body
        usage = body.get("usage") if type(body) is dict else None
    elif isinstance(reply, StreamReply) and isinstance(reply.events, list):
        usage = {}
        for name, payload in reply.events:
            if name == "message_start":
                usage.update((payload.get("message") or {}).get("usage") or {})
            elif name == "message_delta":
                usage.update({k: v for k, v in (payload.get("usage") or {}).items() if v is not None})
    if type(usage) is not dict:
        return 0, 0
    taken_in = (usage.get("input_tokens") or 0) + (usage.get("cache_creation_input_tokens") or 0)
    return taken_in, usage.get("output_tokens") or 0

"""Faults: latency distributions, random error rates, and stream faults applied while sending.

`--latency uniform:10-100ms` and `--error-rate overloaded_error=0.05` apply to every API request;
rules use the same delay syntax and `StreamFault` for their `fault:` field.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import math
import random
import re
from dataclasses import dataclass
from typing import Any, Iterable

from .http.asgi import Receive, Send
from .http.errors import ERROR_STATUS, ApiError


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "min": 60.0}
_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|m)?\s*")


def parse_duration(value: Any) -> float:
    """Seconds from `250ms`, `1.5s`, `2m`, `800us`; a bare number means milliseconds."""
    if isinstance(value, bool):
        raise ValueError(f"not a duration: {value!r}")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"negative duration: {value!r}")
        return float(value) / 1000.0
    found = _DURATION.fullmatch(str(value))
    if not found:
        raise ValueError(f"not a duration: {value!r} (use e.g. 250ms, 1.5s, 2m)")
    return float(found.group(1)) * _UNITS[found.group(2) or "ms"]


# -- latency -------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Latency:
    """A delay distribution: fixed, uniform, normal (mean, stddev) or lognormal (median, sigma)."""

    kind: str
    a: float
    b: float = 0.0

    def sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            return self.a
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        if self.kind == "normal":
            return max(0.0, rng.gauss(self.a, self.b))
        return rng.lognormvariate(math.log(self.a), self.b) if self.a > 0 else 0.0

    @classmethod
    def parse(cls, text: Any) -> Latency:
        """`50ms`, `fixed:50ms`, `uniform:10-100ms`, `normal:100ms,20ms`, `lognormal:80ms,0.4`."""
        if not isinstance(text, str) or ":" not in text:
            return cls("fixed", parse_duration(text))
        kind, _, args = text.partition(":")
        kind = kind.strip().lower()
        if kind == "fixed":
            return cls("fixed", parse_duration(args))
        if kind == "uniform":
            low, high = _pair(args, "-")
            low, high = _same_unit(low, high)
            if high < low:
                raise ValueError(f"uniform latency needs low <= high: {text!r}")
            return cls("uniform", low, high)
        if kind == "normal":
            mean, spread = _same_unit(*_pair(args, ","))
            return cls("normal", mean, spread)
        if kind == "lognormal":
            median, sigma = _pair(args, ",")
            return cls("lognormal", parse_duration(median), float(sigma))
        raise ValueError(f"unknown latency distribution {kind!r} (fixed, uniform, normal, lognormal)")


def _pair(args: str, separator: str) -> tuple[str, str]:
    first, found, second = args.partition(separator)
    if not found:
        raise ValueError(f"expected two values separated by {separator!r}: {args!r}")
    return first.strip(), second.strip()


def _same_unit(first: str, second: str) -> tuple[float, float]:
    """`10-100ms`: a unit written once applies to both numbers."""
    unit = _DURATION.fullmatch(second)
    if unit and unit.group(2) and _DURATION.fullmatch(first) and not _DURATION.fullmatch(first).group(2):
        first += unit.group(2)
    return parse_duration(first), parse_duration(second)


# -- error rates ---------------------------------------------------------------------------------

class ErrorRates:
    """`--error-rate TYPE=P`: one draw per request answers error TYPE with probability P."""

    def __init__(self, rates: Iterable[tuple[str, float]]) -> None:
        self._thresholds: list[tuple[float, str]] = []
        total = 0.0
        for error_type, probability in rates:
            if error_type not in ERROR_STATUS:
                raise ValueError(f"unknown error type {error_type!r}; one of: {', '.join(ERROR_STATUS)}")
            if not 0.0 <= probability <= 1.0:
                raise ValueError(f"error rate for {error_type} must be within 0..1, not {probability}")
            total += probability
            self._thresholds.append((total, error_type))
        if total > 1.0 + 1e-9:
            raise ValueError(f"error rates add up to {total:g}, more than 1")

    def __bool__(self) -> bool:
        return bool(self._thresholds)

    def draw(self, rng: random.Random) -> str | None:
        roll = rng.random()
        for threshold, error_type in self._thresholds:
            if roll < threshold:
                return error_type
        return None

    @classmethod
    def parse(cls, specs: Iterable[str]) -> ErrorRates:
        rates = []
        for spec in specs:
            name, found, value = spec.partition("=")
            if not found:
                raise ValueError(f"--error-rate wants TYPE=P, e.g. overloaded_error=0.1, not {spec!r}")
            rates.append((name.strip(), float(value.rstrip("%")) / (100 if value.endswith("%") else 1)))
        return cls(rates)


# -- stream faults -------------------------------------------------------------------------------

class ConnectionCut(Exception):
    """Raised from a faulty `send`: the app returns without completing the response."""


_cutting: contextvars.ContextVar[bool] = contextvars.ContextVar("mockserver_cutting", default=False)
_UNFINISHED = "ASGI callable returned without completing response."


class _QuietCuts(logging.Filter):
    """uvicorn logs an error when a response is left unfinished; a deliberate cut is no error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.msg == _UNFINISHED and _cutting.get())


def install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietCuts) for f in logger.filters):
        logger.addFilter(_QuietCuts())


def mark_cut() -> None:
    _cutting.set(True)


@dataclass(frozen=True, slots=True)
class StreamFault:
    """What goes wrong while a response body is written. Event counts apply to SSE replies; a
    non-stream reply has no events, so an event-based cut or stall happens before its body."""

    error_after_events: int | None = None
    error_type: str = "overloaded_error"
    error_message: str | None = None
    cut_after_events: int | None = None
    cut_after_bytes: int | None = None
    stall_after_events: int | None = None
    stall_seconds: float | None = None  # None: until the client hangs up
    drip_bytes: int = 0
    drip_every: float = 0.0
    should_retry: bool | None = None  # sent as `x-should-retry`: may the client retry the broken reply?

    @property
    def name(self) -> str:
        for attribute in ("error_after_events", "cut_after_events", "cut_after_bytes", "stall_after_events"):
            if getattr(self, attribute) is not None:
                return attribute
        return "drip" if self.drip_bytes else "none"

    def error_event(self) -> bytes:
        return ApiError(self.error_type, self.error_message or None).sse_event()

    def wrap(self, send: Send, receive: Receive) -> FaultySend:
        return FaultySend(self, send, receive)

    @classmethod
    def parse(cls, spec: dict[str, Any]) -> StreamFault:
        error = spec.get("error", "overloaded_error")
        error_type, message = (error, None) if isinstance(error, str) else (error["type"], error.get("message"))
        drip = spec.get("drip") or {}
        stall = spec.get("stall")
        return cls(
            error_after_events=spec.get("error_after_events"),
            error_type=error_type,
            error_message=message,
            cut_after_events=spec.get("cut_after_events"),
            cut_after_bytes=spec.get("cut_after_bytes"),
            stall_after_events=spec.get("stall_after_events"),
            stall_seconds=None if stall in (None, "forever") else parse_duration(stall),
            drip_bytes=int(drip.get("bytes", 0)),
            drip_every=parse_duration(drip.get("every", 0)),
            should_retry=spec.get("should_retry"),
        )


class FaultySend:
    """Wraps ASGI `send`: counts SSE events and body bytes, and misbehaves where told to."""

    def __init__(self, fault: StreamFault, send: Send, receive: Receive) -> None:
        self.fault = fault
        self._send = send
        self._receive = receive
        self._sse = False
        self._events = 0
        self._bytes = 0
        self._stalled = False
        self._done = False

    async def __call__(self, message: dict[str, Any]) -> None:
        if self._done:
            return
        if message["type"] == "http.response.start":
            headers = message.get("headers", ())
            self._sse = any(k == b"content-type" and v.startswith(b"text/event-stream") for k, v in headers)
            if self._sse and self.fault.error_after_events is not None:  # the body changes length
                message = {**message, "headers": [(k, v) for k, v in headers if k != b"content-length"]}
            if self.fault.should_retry is not None:
                said = b"true" if self.fault.should_retry else b"false"
                kept = [(k, v) for k, v in message.get("headers", ()) if k != b"x-should-retry"]
                message = {**message, "headers": [*kept, (b"x-should-retry", said)]}
            await self._send(message)
            return
        body, more = message.get("body", b""), message.get("more_body", False)
        for event in _split_events(body) if self._sse else ([body] if body else []):
            await self._before_event()
            if self._done:
                return
            await self._write(event)
            self._events += self._sse
        if not more:
            await self._finish()

    def _due(self, count: int | None) -> bool:
        return count is not None and (count == self._events or not self._sse)

    async def _before_event(self) -> None:
        fault = self.fault
        if self._due(fault.stall_after_events) and not self._stalled:
            self._stalled = True
            await self._stall()
        if self._sse and self._due(fault.error_after_events):
            await self._write(fault.error_event())
            await self._end()
        elif self._due(fault.cut_after_events):
            raise ConnectionCut()

    async def _finish(self) -> None:
        """The body ended before the fault's event count: the fault fires here, at the end."""
        fault = self.fault
        if self._sse and fault.error_after_events is not None:
            await self._write(fault.error_event())
        elif fault.cut_after_events is not None or fault.cut_after_bytes is not None:
            raise ConnectionCut()
        elif fault.stall_after_events is not None and not self._stalled:
            await self._stall()
        await self._end()

    async def _end(self) -> None:
        self._done = True
        await self._send({"type": "http.response.body", "body": b""})

    async def _write(self, chunk: bytes) -> None:
        fault = self.fault
        if fault.cut_after_bytes is not None and self._bytes + len(chunk) > fault.cut_after_bytes:
            head = chunk[: fault.cut_after_bytes - self._bytes]
            if head:
                await self._send({"type": "http.response.body", "body": head, "more_body": True})
            raise ConnectionCut()
        self._bytes += len(chunk)
        if not fault.drip_bytes:
            await self._send({"type": "http.response.body", "body": chunk, "more_body": True})
            return
        for start in range(0, len(chunk), fault.drip_bytes):
            await self._send({"type": "http.response.body", "body": chunk[start:start + fault.drip_bytes],
                              "more_body": True})
            await asyncio.sleep(fault.drip_every)

    async def _stall(self) -> None:
        """Hold the response; end it when the client hangs up."""
        if await hold(self.fault.stall_seconds, self._receive):
            raise ConnectionCut()


async def hold(seconds: float | None, receive: Receive) -> bool:
    """Wait `seconds` (None: forever); True when the client hung up first."""
    waiters = [asyncio.ensure_future(_disconnected(receive))]
    if seconds is not None:
        waiters.append(asyncio.ensure_future(asyncio.sleep(seconds)))
    done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return waiters[0] in done


async def _disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _split_events(body: bytes) -> list[bytes]:
    """SSE frames end with a blank line; our data lines never contain one."""
    if not body:
        return []
    parts = body.split(b"\n\n")
    events = [part + b"\n\n" for part in parts[:-1]]
    if parts[-1]:
        events.append(parts[-1])
    return events

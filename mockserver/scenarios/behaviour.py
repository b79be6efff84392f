"""What the mock does to an API request besides answering it: header overrides, rules, faults,
rate limits and the journal.

The pipeline (pipeline.py) calls `answer` where it would call the handler and `send` where it would call
`send_reply`. With nothing configured (`idle`), both cost a few attribute checks (with several
workers, plus one shared-memory read to notice what another worker changed).
Order for one request: x-mock-* headers, else the first rule that matches -> its delay -> its
reply; when no reply was scripted: --latency, --error-rate, rate-limit buckets -> the handler.
"""

from __future__ import annotations

import contextlib
import os
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..faults import ConnectionCut, ErrorRates, Latency, StreamFault, hold, install_log_filter, mark_cut
from ..http.capture import ResponseCapture
from ..http.errors import ApiError, error_reply
from ..http.gate import headers_of
from ..http.render import send_reply
from ..http.replies import Reply, StreamReply
from ..http.request_ids import worker_salt
from ..db import StoreUnavailable
from ..journal import journal_body, redact_headers
from ..ratelimit import LIMITED_OPERATIONS
from .book import RuleBook
from .matching import SESSION_HEADER, Seen
from .overrides import TRIGGERS, override
from .responses import render
from .rules import Response, Rule

if TYPE_CHECKING:
    from ..state import AppState
    from ..backends import BehaviourStores
    from ..call import Call, Exchange

Handler = tuple[Callable[..., Any], bool]  # (handler, is_async)
HEADER_RULE = "x-mock-headers"  # the journal's `rule` for a reply the request headers asked for
CLIENT_GONE = 499  # the journal's status when the client hung up before a delayed answer


@dataclass(slots=True)
class Scripted:
    """A reply with what sending and the journal need to know about it."""

    reply: Reply
    rule: str | None = None
    fault: StreamFault | None = None
    delay: float = 0.0  # seconds to wait before answering (ends early if the client hangs up)
    stamp: bool = False  # add rate-limit headers (and count the reply in the buckets)
    taken: bool = False  # the request was already taken from the buckets by `admit`


@dataclass(slots=True)
class Counting:
    """Rules that match a request and count their matches: their counters pick the answer."""

    candidates: list[Rule]
    session: str


class Behaviour:
    def __init__(self, state: AppState, stores: BehaviourStores) -> None:
        config = state.config
        install_log_filter()
        self.config = config
        self.shared = stores.rules
        self.book = RuleBook(config.rules_files)
        self.journal_body_bytes = config.journal_body_bytes
        self.journal = stores.journal
        self.limiter = stores.limiter
        self.latency = Latency.parse(config.latency) if config.latency else None
        self.error_rates = ErrorRates.parse(config.error_rates)
        self._limited = LIMITED_OPERATIONS if self.limiter is not None else frozenset()
        self._rng = random.Random(f"{config.seed}:faults:{worker_salt(config.workers)}")
        self._multi = stores.shared  # other workers or replicas may change rules
        self._generation = -1
        self.idle = False
        try:
            self.sync()
        except StoreUnavailable:  # started without the shared database: read the rules once it is back
            self.shared.unsee()
        state.closers.extend([self.journal.close, self.shared.close])

    # -- keeping up with changes -------------------------------------------------------------

    def sync(self) -> None:
        """Reload runtime rules and flags when they changed (here or in another worker)."""
        generation = self.shared.generation()
        if generation != self._generation:
            self._generation = generation
            self.book.set_api_rules(self.shared.runtime_rules())
            flag = self.shared.flag("journal", -1)
            if flag >= 0:
                self.journal.on = bool(flag)
        self.idle = not (self.book.ordered or self.book.files or self.journal.on or self.latency
                         or self.error_rates or (self.limiter and self.limiter.enforce))

    def catch_up(self) -> None:
        """Before a request: take in what another worker changed (one memory read when nothing did)."""
        if self.shared.changed():
            try:
                self.sync()
            except StoreUnavailable:
                self.shared.unsee()  # the shared database is away: reload at the next request instead
                if self._generation < 0:  # rules never read: nothing can be answered as they say
                    raise
                # Otherwise answer by the rules we have: nobody can change them while the database is away.

    # -- answering ---------------------------------------------------------------------------

    async def answer(self, call: Call, handler: Handler) -> Reply | Scripted:
        if self._multi:
            self.catch_up()
        if self.idle and TRIGGERS.isdisjoint(call.headers):
            function, is_async = handler
            return await function(call) if is_async else function(call)
        return await self._scripted(call, handler)

    async def _scripted(self, call: Call, handler: Handler) -> Scripted:
        if self.book.files and self.book.reload_if_changed():
            self.sync()
        picked = self._choose(call)
        if type(picked) is Counting:  # the counters in the shared state decide
            picked = await self.count(picked)
        response, rule_id = picked  # type: ignore[misc]
        delay = response.delay.sample(self._rng) if response is not None and response.delay is not None else 0.0
        limited = call.operation.operation_id in self._limited
        stamp, taken = limited, False
        if response is None or response.kind == "pass":
            refusal, latency = self._faults()
            delay += latency
            if refusal is None and limited and self.limiter.enforce:  # type: ignore[union-attr]
                refusal = self.limiter.admit(call.api_key, call.body, call.version)  # type: ignore[union-attr]
                stamp, taken = refusal is None, refusal is None
            reply = _error_reply(refusal, call) if refusal is not None else await _run(call, handler)
        else:
            reply = render(response, call)
        if response is not None:
            _modify(reply, response)
        return Scripted(reply, rule_id, response.fault if response is not None else None, delay, stamp, taken)

    def _choose(self, call: Call) -> tuple[Response | None, str | None] | Counting:
        headers = call.headers
        if not TRIGGERS.isdisjoint(headers):
            response = override(headers)
            if response is not None:
                return response, HEADER_RULE
        if not self.book.ordered:
            return None, None
        seen = Seen(call.operation.operation_id, call.method, call.path, headers, call.body)
        # the index narrows the rules (by operation, and every last_user_text pattern at once)
        candidates = [rule for rule in self.book.candidates(seen) if rule.match.matches(seen)]
        if not candidates:
            return None, None
        if not candidates[0].stateful:
            return candidates[0].responses[0], candidates[0].id
        return Counting(candidates, seen.session)

    async def count(self, counting: Counting) -> tuple[Response | None, str | None]:
        """The first rule that matches and is not exhausted, and the response it gives now."""
        for rule in counting.candidates:
            step = await self._advance(rule, counting.session) if rule.stateful else rule.responses[0]
            if step is not None:
                return step, rule.id
        return None, None

    async def _advance(self, rule: Rule, session: str) -> Response | None:
        """Counters (one statement: exact across workers and replicas) and scenario state for one rule."""
        if rule.scenario:
            with self.shared.transaction():
                return self._advance_scenario(rule, session)
        served, answers = await self.shared.advance_counter(session, rule.id, rule.match.nth, rule.answers)
        return _step(rule, served) if answers else None

    def _advance_scenario(self, rule: Rule, session: str) -> Response | None:
        """Counters and scenario state for a rule of a scenario (inside a transaction)."""
        shared = self.shared
        if rule.scenario and rule.state is not None and shared.scenario(session, rule.scenario) != rule.state:
            return None
        seen, served = shared.counter(session, rule.id)
        seen += 1
        step = None
        if (not rule.match.nth or seen in rule.match.nth) and (rule.times is None or served < rule.times):
            step = _step(rule, served)
        shared.save_counter(session, rule.id, seen, served + (step is not None))
        if step is not None and rule.next_state:
            shared.move_scenario(session, rule.scenario, rule.next_state)  # type: ignore[arg-type]
        return step

    def _faults(self) -> tuple[ApiError | None, float]:
        """--error-rate and --latency: an error to answer instead (or None), and a delay."""
        latency = self.latency.sample(self._rng) if self.latency is not None else 0.0
        if self.error_rates:
            error_type = self.error_rates.draw(self._rng)
            if error_type is not None:
                headers = {"retry-after": "1"} if error_type == "rate_limit_error" else None
                return ApiError(error_type, headers=headers), latency
        return None, latency

    # -- sending and recording ---------------------------------------------------------------

    async def send(self, exchange: Exchange, reply: Reply | Scripted, receive: Any, send: Any) -> None:
        """Send the reply (after its delay, through its stream fault) and journal the exchange."""
        call, base = exchange.call, exchange.base
        scripted = type(reply) is Scripted
        if not scripted:
            if call is None and self._multi:  # refused before `answer`: the journal flag may be stale
                with contextlib.suppress(StoreUnavailable):  # then the flag stays as it was
                    self.catch_up()
            if call is not None and call.operation.operation_id in self._limited:
                base += self.limiter.stamp(call.api_key, call.body, reply, False)  # type: ignore[union-attr]
            if not self.journal.on:
                try:
                    await send_reply(send, reply, base)  # type: ignore[arg-type]
                except ConnectionCut:  # a fuzzed reply cut on purpose (mockserver/fuzz/replies.py)
                    mark_cut()
                return
        rule = fault = None
        hung_up = False
        if scripted:
            plan: Scripted = reply  # type: ignore[assignment]
            reply, rule, fault = plan.reply, plan.rule, plan.fault
            if plan.stamp:
                base += self.limiter.stamp(call.api_key, call.body, reply, plan.taken)  # type: ignore[union-attr]
            hung_up = plan.delay > 0 and await hold(plan.delay, receive)
        capture = first = None
        if self.journal.on:
            def entry() -> dict[str, Any]:
                made = _entry(exchange, reply, rule, fault, self.journal_body_bytes)  # type: ignore[arg-type]
                if hung_up:
                    made.update(status=CLIENT_GONE, error=None)
                made["response"] = capture.summary() if capture.status else None  # type: ignore[union-attr]
                return made

            first = _JournalFirst(send, lambda: self.journal.persist(entry())) if self.journal.durable else None
            capture = ResponseCapture(first or send)
        out = capture or send
        try:
            if not hung_up:
                await send_reply(fault.wrap(out, receive) if fault else out, reply, base)  # type: ignore[arg-type]
        except ConnectionCut:
            mark_cut()
        if capture is not None and not (first and first.written):
            self.journal.record(entry())


class _JournalFirst:
    """A `send` that writes the journal entry before the response's last message leaves: a client
    that got its whole answer finds it in the journal, whatever happens to this process next.
    The start of a whole response waits with its body (headers sent alone, then the body after a
    pause, would cost a second packet and, with Nagle's algorithm, a delayed ACK's wait)."""

    __slots__ = ("_send", "_write", "_start", "written")

    def __init__(self, send: Any, write: Callable[[], Any]) -> None:
        self._send, self._write, self._start, self.written = send, write, None, False

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self._start = message
            return
        if message["type"] == "http.response.body" and not message.get("more_body") and not self.written:
            self.written = True
            await self._write()
        if self._start is not None:
            start, self._start = self._start, None
            await self._send(start)
        await self._send(message)


async def _run(call: Call, handler: Handler) -> Reply:
    function, is_async = handler
    try:
        return await function(call) if is_async else function(call)
    except ApiError as error:
        return _error_reply(error, call)


def _error_reply(error: ApiError, call: Call) -> Reply:
    return error_reply(error, call.request_id, call.operation)


def _step(rule: Rule, served: int) -> Response | None:
    steps = rule.responses
    if served < len(steps):
        return steps[served]
    if rule.then == "repeat_last":
        return steps[-1]
    if rule.then == "loop":
        return steps[served % len(steps)]
    return None


def _modify(reply: Reply, response: Response) -> None:
    if response.headers:
        reply.headers.update(response.headers)
    if response.pacing is not None and isinstance(reply, StreamReply):
        reply.pacing = response.pacing


def _entry(exchange: Exchange, reply: Reply, rule: str | None, fault: StreamFault | None,
           body_limit: int) -> dict[str, Any]:
    call, operation = exchange.call, exchange.operation
    headers = call.headers if call is not None else headers_of(exchange.raw_headers)
    streamed = isinstance(reply, StreamReply) or getattr(reply, "content_type", "").startswith("text/event-stream")
    error = _error_type(reply)
    if fault is not None and streamed and fault.error_after_events is not None:
        error = fault.error_type
    received = call.received_at if call is not None else time.time()
    return {
        "request_id": exchange.request_id,
        "session": headers.get(SESSION_HEADER, ""),
        "time": received,
        "method": exchange.method,
        "path": exchange.path,
        "query": exchange.raw_query.decode("latin-1"),
        "operation": operation.operation_id if operation is not None else None,
        "headers": redact_headers(headers),
        **journal_body(call.body if call is not None else None, call.raw_body if call is not None else b"", body_limit),
        "status": 200 if isinstance(reply, StreamReply) else reply.status,
        "error": error,
        "rule": rule,
        "fault": fault.name if fault is not None else None,
        "stream": streamed,
        "elapsed_ms": round((time.time() - received) * 1000, 3),
        "worker": os.getpid(),
    }


def _error_type(reply: Reply) -> str | None:
    if isinstance(reply, StreamReply) or reply.status < 400:
        return None
    body = getattr(reply, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("type") if isinstance(error, dict) else None


def check_settings(config: Any) -> None:
    """Raise ValueError for a bad --latency, --error-rate, --rate-limit or rules file, before serving."""
    from ..ratelimit import parse_limits
    from .rules import load_rules_file

    if config.latency:
        Latency.parse(config.latency)
    ErrorRates.parse(config.error_rates)
    parse_limits(config.rate_limits)
    for index, path in enumerate(config.rules_files):
        load_rules_file(Path(path), index)


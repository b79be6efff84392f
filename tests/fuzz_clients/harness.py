"""The property every client must hold, checked against the replies the mock sent it.

    the client returns the message the last reply accumulates to, and the summary the reference
    client makes of it; or it gives up cleanly (ApiFailure) on a reply that was a fault, after the
    retries that fault allows;
    it retries only what may be retried (never after `x-should-retry: false`), and waits first:
    at least `retry-after`, and never zero.

`seeded()` runs a client as `mockserver fuzz --shrink` would, and `direct_all()` under hypothesis; both
hand the drawn replies over without a socket (cheap). test_through_the_mock.py drives clients through
the mock with @anthropic_fuzz.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

from hypothesis import HealthCheck, Phase, given, settings

from mockserver.contract import first_difference, without_nulls
from mockserver.fuzz.profiles import PROFILES
from mockserver.fuzz.profiles import NO_LIMITS, Simplify
from mockserver.fuzz.replies import Drawn, draw_reply, request_seed
from mockserver.fuzz.shrink import shrink
from mockserver.fuzz.report import size
from mockserver.fuzz.sources import PLAIN, replies

from .reference import ApiFailure, Client, Cut, Response

REFERENCE = Client(lambda body: Response(0, {}, []), lambda seconds: None)


class Replies:
    """Replies drawn up front by hypothesis, handed out in order, as the mock's DataSource does."""

    def __init__(self, draws: list[Any], profile: str = "all", cache: dict[Any, Drawn] | None = None) -> None:
        self.draws, self.profile = draws, PROFILES[profile]
        self.cache = cache if cache is not None else {}  # clients that ask alike share the drawing
        self.sent: list[Drawn] = []
        self.sleeps: list[float] = []

    def next_draw(self, body: dict[str, Any]) -> tuple[int, Simplify]:
        number = len(self.sent)
        return self.draws[number] if number < len(self.draws) else (number, PLAIN)

    def post(self, body: dict[str, Any]) -> Response:
        seed, simplify = self.next_draw(body)
        key = (seed, simplify, body.get("stream") is True)
        if key not in self.cache:
            self.cache[key] = draw_reply(random.Random(seed), stream=key[2], model=body["model"],
                                         profile=self.profile, simplify=simplify, max_tokens=body["max_tokens"])
        drawn = self.cache[key]
        self.sent.append(drawn)
        return Response(drawn.status, dict(drawn.headers), _chunks(drawn))

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class SeededReplies(Replies):
    """Replies as `mockserver fuzz` draws them for a run: from the run's seed, the request and how
    often it came before, all simplified alike."""

    def __init__(self, seed: int, simplify: Simplify, profile: str = "all") -> None:
        super().__init__([], profile)
        self.seed, self.simplify = seed, simplify
        self.seen: Counter[str] = Counter()

    def next_draw(self, body: dict[str, Any]) -> tuple[int, Simplify]:
        key = json.dumps(body, sort_keys=True)
        self.seen[key] += 1
        return request_seed(self.seed, body, b"", self.seen[key] - 1), self.simplify


def _chunks(drawn: Drawn) -> Iterator[bytes]:
    yield from drawn.chunks
    if drawn.cut:
        raise Cut()


def check(client: Client, sent: list[Drawn], sleeps: list[float]) -> None:
    """Run the client, then hold what it did to the replies it got."""
    try:
        outcome: Any = client.create()
    except ApiFailure:
        outcome = None
    _check_retries(sent, sleeps)
    last = sent[-1]
    if outcome is None:
        assert last.message is None, "gave up on a reply that was complete"
        assert len(sent) == client.max_retries + 1 or not _may_retry(last, client.stream), \
            "gave up on a reply it should have retried"
        return
    message, summary = outcome
    assert last.message is not None, f"took a failed reply ({last.fault}) for a message"
    difference = first_difference(without_nulls(last.message), without_nulls(message))
    assert difference is None, f"the message differs from the one sent: {difference}"
    assert summary == REFERENCE.summary(last.message), "the summary differs from the reference client's"


def _check_retries(sent: list[Drawn], sleeps: list[float]) -> None:
    assert len(sleeps) == len(sent) - 1, "every retry waits first, and only retries wait"
    for drawn, slept in zip(sent, sleeps):
        assert drawn.message is None, "retried a complete reply"
        assert drawn.headers.get("x-should-retry") != "false", "retried despite x-should-retry: false"
        assert slept > 0, "retried without waiting"
        assert slept >= float(drawn.headers.get("retry-after", 0)), "retried before retry-after"


def _may_retry(drawn: Drawn, stream: bool) -> bool:
    said = drawn.headers.get("x-should-retry")
    if said in ("true", "false"):
        return said == "true"
    return drawn.status in (429, 529) or (drawn.cut and not stream)


@dataclass
class Finding:
    """How a client fared: examples run until the first failure, and the shrunk replies."""

    examples: int = 0
    found_at: int | None = None
    shrunk: list[Drawn] = field(default_factory=list)
    error: str = ""

    @property
    def size(self) -> str:
        return size(self.shrunk)

    @property
    def blocks(self) -> int:
        from mockserver.fuzz.report import blocks_of

        return max((blocks_of(d) for d in self.shrunk), default=0)


def seeded(client_class: type[Client], runs: int, profile: str = "all") -> Finding:
    """Runs as `mockserver fuzz --shrink` makes them, without a socket: seeds 0, 1, ... until the client
    fails, then that seed's replies simplified step by step (shrink.py). Deterministic, so the README
    table does not depend on hypothesis's engine."""
    finding = Finding()
    for seed in range(runs):
        finding.examples += 1
        if _attempt(client_class, seed, NO_LIMITS, profile):
            finding.found_at = seed + 1
            break
    else:
        return finding
    simplest, _ = shrink(lambda limits: bool(_attempt(client_class, seed, limits, profile)))
    replies_ = SeededReplies(seed, simplest, profile)
    finding.error = _attempt(client_class, seed, simplest, profile, replies_)
    finding.shrunk = replies_.sent
    return finding


def _attempt(client_class: type[Client], seed: int, simplify: Simplify, profile: str,
             replies_: SeededReplies | None = None) -> str:
    """What went wrong in one run ("" when the client held)."""
    replies_ = replies_ or SeededReplies(seed, simplify, profile)
    try:
        check(client_class(replies_.post, replies_.sleep), replies_.sent, replies_.sleeps)
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return ""


def direct_all(client_classes: list[type[Client]], max_examples: int, profile: str = "all") -> int:
    """Every client on each example (the drawing shared): how many examples ran; raises on a failure."""
    examples = 0

    @settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
              phases=(Phase.generate,), suppress_health_check=list(HealthCheck))
    @given(replies())
    def hold(draws: list[Any]) -> None:
        nonlocal examples
        examples += 1
        cache: dict[Any, Drawn] = {}
        for client_class in client_classes:
            replies_ = Replies(draws, profile, cache)
            try:
                check(client_class(replies_.post, replies_.sleep), replies_.sent, replies_.sleeps)
            except AssertionError as error:
                raise AssertionError(f"{client_class.__name__}: {error}") from error

    hold()
    return examples

"""Reply sources for the pipeline's script step (pipeline.ReplySource): who answers messages_create.

    SeededSource  a seeded draw per request (`mockserver serve --fuzz SEED`, `mockserver fuzz`)
    DataSource    replies hypothesis drew for one example, in-process (`@anthropic_fuzz`)

Both keep what they sent, in order, for the failure report (report.py).
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any, Callable

import orjson

from .profiles import NO_LIMITS, Profile, Simplify
from .replies import SEED_HEADER, Drawn, as_reply, draw_reply, request_seed

if TYPE_CHECKING:
    from ..call import Call
    from ..http.replies import Reply

FUZZED_OPERATIONS = frozenset({"messages_create"})
Bound = tuple[Callable[..., Any], bool]


class _Source:
    """Answers the fuzzed operations itself and hands every other one to its usual handler."""

    def __init__(self, profile: Profile, simplify: Simplify) -> None:
        self.profile, self.simplify = profile, simplify
        self.sent: list[Drawn] = []
        self.draws: list[tuple[int, Simplify]] = []
        self._own: Bound = (self.reply, False)
        self._lock = threading.Lock()

    def handler(self, call: Call, usual: Bound) -> Bound:
        return self._own if call.operation.operation_id in FUZZED_OPERATIONS else usual

    def reply(self, call: Call) -> Reply:
        body = call.body if isinstance(call.body, dict) else {}
        model = body.get("model") if isinstance(body.get("model"), str) else None
        with self._lock:
            seed, simplify = self._draw(call, body)
            drawn = draw_reply(random.Random(seed), stream=body.get("stream") is True, model=model,
                               profile=self.profile, simplify=simplify, request_id=call.request_id,
                               max_tokens=body.get("max_tokens"))
            self.sent.append(drawn)
            self.draws.append((seed, simplify))
        return as_reply(drawn, call, self._headers())

    def _draw(self, call: Call, body: dict[str, Any]) -> tuple[int, Simplify]:
        """The random source of one reply (as a seed) and its simplification."""
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        return {}


class SeededSource(_Source):
    """Reply n to a request depends on (seed, request body without `stream`, n): a retry draws anew."""

    def __init__(self, seed: int, profile: Profile, simplify: Simplify = NO_LIMITS) -> None:
        super().__init__(profile, simplify)
        self.seed = seed
        self._seen: Counter[bytes] = Counter()

    def _draw(self, call: Call, body: dict[str, Any]) -> tuple[int, Simplify]:
        key = orjson.dumps(body, option=orjson.OPT_SORT_KEYS) if body else call.raw_body
        occurrence = self._seen[key]
        self._seen[key] += 1
        return request_seed(self.seed, body, call.raw_body, occurrence), self.simplify

    def _headers(self) -> dict[str, str]:
        return {SEED_HEADER: str(self.seed)}


class DataSource(_Source):
    """Replies drawn by hypothesis: a seed and how far to simplify each reply, so shrinking a failing
    test means fewer replies, fewer blocks, shorter text, fewer chunks, no extras and no fault.

    The server thread cannot draw from hypothesis (its build context belongs to the test's thread), so
    the test draws the replies up front (`replies()`) and the server hands them out in order; a call
    beyond them gets a plain reply."""

    def __init__(self, draws: list[tuple[int, Simplify]], profile: Profile) -> None:
        super().__init__(profile, NO_LIMITS)
        self.planned = list(draws)

    def _draw(self, call: Call, body: dict[str, Any]) -> tuple[int, Simplify]:
        number = len(self.sent)
        return self.planned[number] if number < len(self.planned) else (number, PLAIN)


PLAIN = Simplify(blocks=1, text=8, chunks=1, extras=0, faults=0)
MAX_REPLIES = 8


def replies(max_replies: int = MAX_REPLIES) -> Any:
    """A hypothesis strategy for the replies of one example: [(seed, Simplify), ...]; each part
    shrinks towards the simplest reply."""
    from hypothesis import strategies as st

    limits = st.builds(Simplify, blocks=st.integers(0, 7), text=st.sampled_from((0, 8, 64, -1)),
                       chunks=st.sampled_from((1, -1)), extras=st.sampled_from((0, -1)),
                       faults=st.sampled_from((0, -1)))
    return st.lists(st.tuples(st.integers(0, 2**64 - 1), limits), min_size=1, max_size=max_replies)

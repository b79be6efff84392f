"""What a conformance run found: per exchange its differences, and the run's token error."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .exchange import RecordedExchange
from .ids import RESOURCE_ID
from .tokens import TokenError


@dataclass(frozen=True, slots=True)
class Difference:
    check: str   # status | shape | forced | stream
    cause: str   # what went wrong, the same words for the same cause: the report groups by it
    detail: str = ""


@dataclass(slots=True)
class ExchangeResult:
    exchange: RecordedExchange
    status: int | None = None            # the mock's status (None: not sent)
    differences: list[Difference] = field(default_factory=list)
    skipped: str | None = None           # why nothing was compared
    stateless: bool = False              # answered by the stateless mock (an id the replay never created)

    @property
    def label(self) -> str:
        return f"{self.exchange.method} {route_of(self.exchange.target)}"


@dataclass(slots=True)
class Report:
    target: str
    api_version: str | None
    results: list[ExchangeResult] = field(default_factory=list)
    tokens: TokenError = field(default_factory=TokenError)
    seconds: float = 0.0

    @property
    def differences(self) -> list[tuple[ExchangeResult, Difference]]:
        return [(r, d) for r in self.results for d in r.differences]

    @property
    def ok(self) -> bool:
        return not any(r.differences for r in self.results)

    def by_cause(self) -> Counter:
        """(route, check, cause) -> how many exchanges showed it."""
        return Counter((r.label, d.check, d.cause) for r in self.results for d in set(r.differences))


def route_of(target: str) -> str:
    """The path with resource ids as {id}: the same route groups together in reports."""
    return RESOURCE_ID.sub(b"{id}", target.split("?", 1)[0].encode()).decode()

"""The input-token error of the mock against the real API: reported, not a difference (the
count is calibrated elsewhere), and kept in numbers so a test can hold it to a goal."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any

INPUT_FIELDS = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


def input_tokens(answer: Any) -> int | None:
    """All input tokens of a Message (fresh + cache written + cache read), or count_tokens' total."""
    if not isinstance(answer, dict):
        return None
    usage = answer.get("usage") if isinstance(answer.get("usage"), dict) else answer
    counts = [usage.get(name) for name in INPUT_FIELDS]
    if not isinstance(counts[0], int):
        return None
    return sum(c for c in counts if isinstance(c, int))


@dataclass(slots=True)
class TokenError:
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (real, mock)

    def add(self, real: Any, ours: Any) -> None:
        real_count, our_count = input_tokens(real), input_tokens(ours)
        if real_count and our_count is not None:
            self.pairs.append((real_count, our_count))

    @property
    def errors(self) -> list[float]:
        """|mock - real| / real for each pair, sorted."""
        return sorted(abs(mock - real) / real for real, mock in self.pairs)

    @property
    def n(self) -> int:
        return len(self.pairs)

    @property
    def median(self) -> float | None:
        return statistics.median(self.errors) if self.pairs else None

    @property
    def p90(self) -> float | None:
        errors = self.errors
        return errors[math.ceil(0.9 * len(errors)) - 1] if errors else None  # nearest rank

    @property
    def within_10_percent(self) -> float | None:
        return sum(e <= 0.10 for e in self.errors) / self.n if self.pairs else None

    def summary(self) -> str:
        if not self.pairs:
            return "input tokens: n=0"
        return (f"input tokens: n={self.n}, median |err| {self.median:.1%}, p90 |err| {self.p90:.1%}, "
                f"within 10 %: {self.within_10_percent:.0%}")

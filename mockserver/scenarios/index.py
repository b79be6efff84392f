"""The rule book's index: rules in the order they are tried, reachable by id, by operation and by
their `last_user_text` pattern, so a request against 10k rules tries only the few that may match.
Built whole from a new list and then swapped in, so a request never sees half of it."""

from __future__ import annotations

import heapq
from typing import Iterator

from .matching import Seen
from .patterns import PatternSet
from .rules import Rule

Entry = tuple[int, Rule]  # (position in `ordered`, rule)


class RuleIndex:
    def __init__(self, ordered: list[Rule]) -> None:
        self.ordered = ordered
        self.by_id: dict[str, list[Rule]] = {}
        self._by_operation: dict[str, list[Entry]] = {}
        self._any_operation: list[Entry] = []
        self._with_text: list[Entry] = []
        self._texts: PatternSet | None = None
        for position, rule in enumerate(ordered):
            self.by_id.setdefault(rule.id, []).append(rule)
            if rule.match.text_pattern is not None:
                self._with_text.append((position, rule))
            operations = rule.match.operations
            if operations is None:
                self._any_operation.append((position, rule))
            for operation in operations or ():
                self._by_operation.setdefault(operation, []).append((position, rule))

    def candidates(self, seen: Seen) -> Iterator[Rule]:
        """The rules that may match `seen`, in order, by cheap keys first: those naming its operation
        merged with those naming none, and of those with a `last_user_text` pattern only the ones
        found by searching all the patterns at once."""
        named = self._by_operation.get(seen.operation, ())
        entries = heapq.merge(named, self._any_operation, key=_position) if named else self._any_operation
        texts = self._text_hits(seen) if self._with_text else None
        session = seen.session
        for position, rule in entries:
            if rule.session is not None and rule.session != session:
                continue
            if texts is not None and rule.match.text_pattern is not None and position not in texts:
                continue
            yield rule

    def _text_hits(self, seen: Seen) -> frozenset[int] | None:
        if self._texts is None:  # built at the first request that needs it, not while loading
            self._texts = PatternSet([rule.match.text_pattern for _, rule in self._with_text])  # type: ignore[misc]
        hits = self._texts.hits(seen.last_user_text)
        return None if hits is None else frozenset(self._with_text[i][0] for i in hits)


def _position(entry: Entry) -> int:
    return entry[0]

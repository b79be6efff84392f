"""What the control API (/_mock, control.py) may do to scripted behaviour: a small facade, so the
routes speak in requests (add rules, reset, read the journal) and Behaviour keeps its internals."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from ..journal import Entry
    from ..ratelimit import RateLimiter
    from .behaviour import Behaviour
    from .rules import Rule


class Controls:
    def __init__(self, behaviour: Behaviour) -> None:
        self._b = behaviour

    def begin(self) -> None:
        """Catch up with other workers; the first use of the control API turns the journal on."""
        b = self._b
        b.sync()
        if not b.journal.on and b.shared.flag("journal", -1) == -1:
            b.shared.set_flag("journal", 1)
            b.sync()

    # -- rules -----------------------------------------------------------------------------------

    def rules(self, session: str | None) -> list[Rule]:
        book = self._b.book
        return list(book.for_session(session)) if session is not None else list(book.ordered)

    def find_rule(self, rule_id: str, session: str | None) -> Rule | None:
        return self._b.book.find(rule_id, session)

    def add_rules(self, parsed: list[tuple[str | None, Rule]]) -> list[Rule]:
        """Store parsed rules, each with its owning session, one transaction per run of one owner;
        the rules as now in force (the book takes the parsed rules as they are)."""
        stored: list[Rule] = []
        for owner, run in itertools.groupby(parsed, key=lambda item: item[0]):
            rules = [rule for _, rule in run]
            keys = self._b.shared.put_rules(owner or "", [dict(rule.spec) for rule in rules])
            stored += [replace(rule, order=seq, id=rule_id) for rule, (seq, rule_id) in zip(rules, keys)]
        self._b.book.remember(stored)
        self._b.sync()
        return [found for rule in stored if (found := self._b.book.find(rule.id, rule.session))]

    def clear_rules(self, session: str | None) -> int:
        deleted = self._b.shared.clear_rules(session)
        self._b.sync()
        return deleted

    def delete_rule(self, rule: Rule) -> None:
        self._b.shared.delete_rule(rule.session or "", rule.id)
        self._b.sync()

    # -- state, journal, rate limits -------------------------------------------------------------

    def reset(self, session: str | None, *, rules: bool, state: bool, journal: bool, rate_limits: bool) -> None:
        b = self._b
        if rules:
            b.shared.clear_rules(session)
        if state:
            b.shared.reset_state(session)
        if journal:
            b.journal.clear(session)
        if rate_limits and b.limiter is not None:
            b.limiter.reset()
        b.sync()

    @property
    def journal_on(self) -> bool:
        return self._b.journal.on

    def set_journal(self, enabled: bool) -> bool:
        self._b.shared.set_flag("journal", int(enabled))
        self._b.sync()
        return self._b.journal.on

    async def journal_entries(self, session: str | None, since: int = 0) -> list[Entry]:
        return await self._b.journal.entries(session, since)

    async def journal_page(self, session: str | None, since: int, before: int | None, matches: Callable[[Entry], bool],
                           limit: int) -> tuple[list[Entry], bool]:
        return await self._b.journal.page(session, since, before, matches, limit)

    def clear_journal(self, session: str | None) -> int:
        return self._b.journal.clear(session)

    def scenarios(self, session: str | None) -> list[dict[str, str]]:
        return self._b.shared.scenarios(session)

    def set_scenario(self, session: str, name: str, state: str) -> None:
        self._b.shared.set_scenario(session, name, state)

    def counters(self, session: str | None) -> list[dict[str, Any]]:
        return self._b.shared.counters(session)  # type: ignore[attr-defined]

    @property
    def limiter(self) -> RateLimiter | None:
        return self._b.limiter

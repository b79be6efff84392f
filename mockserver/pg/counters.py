"""Counting rules' matches on PostgreSQL: one statement per batch of concurrent matches.

Matches of the same rule (and session) that arrive while that rule's statement is under way wait
and go together in the next one: `count_matches` adds their number to the counter's row in one
statement (its row lock keeps the count exact across replicas) and returns the row as it was;
each match then takes its own number in arrival order, exactly as if they had come one by one.
"""

from __future__ import annotations

import asyncio
from typing import Any

from .async_pool import AsyncStatements

# The row as it was before `p_count` more matches, and `served` moved on by those that answer:
# the ones `p_nth` names (all when NULL), while fewer than `p_answers` answers were given.
FUNCTION = """
CREATE OR REPLACE FUNCTION count_matches(p_session TEXT, p_rule TEXT, p_count BIGINT, p_nth BIGINT[],
                                         p_answers BIGINT, OUT seen_before BIGINT, OUT served_before BIGINT)
LANGUAGE plpgsql AS $$
DECLARE
    answering BIGINT;
BEGIN
    INSERT INTO counters VALUES (p_session, p_rule, p_count, 0) ON CONFLICT (session, rule)
        DO UPDATE SET seen = counters.seen + p_count
        RETURNING counters.seen - p_count, counters.served INTO seen_before, served_before;
    IF p_nth IS NULL THEN
        answering := p_count;
    ELSE
        SELECT count(*) INTO answering FROM unnest(p_nth) AS k WHERE k > seen_before AND k <= seen_before + p_count;
    END IF;
    IF p_answers IS NOT NULL THEN
        answering := LEAST(answering, GREATEST(p_answers - served_before, 0));
    END IF;
    IF answering > 0 THEN
        UPDATE counters SET served = served + answering WHERE session = p_session AND rule = p_rule;
    END IF;
END $$;
"""
_CALL = "SELECT seen_before, served_before FROM count_matches(%s, %s, %s, %s::BIGINT[], %s::BIGINT)"

Key = tuple[str, str, frozenset[int], Any]  # session, rule id, nth, answers


class CounterBatches:
    def __init__(self, statements: AsyncStatements) -> None:
        self._statements = statements
        self._waiting: dict[Key, list[asyncio.Future[tuple[int, bool]]]] = {}

    async def advance(self, session: str, rule_id: str, nth: frozenset[int], answers: int | None) -> tuple[int, bool]:
        """(answers given before this match, whether this match answers): SharedState.advance_counter."""
        key = (session, rule_id, nth, answers)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[tuple[int, bool]] = loop.create_future()
        waiting = self._waiting.get(key)
        if waiting is None:  # nothing under way for this rule: this match starts the writer
            self._waiting[key] = [done]
            loop.create_task(self._drain(key))
        else:
            waiting.append(done)
        return await done

    async def _drain(self, key: Key) -> None:
        session, rule_id, nth, answers = key
        while True:
            batch = self._waiting.get(key)
            if not batch:
                self._waiting.pop(key, None)
                return
            self._waiting[key] = []  # arrivals from now on wait for the next statement
            try:
                seen, served = await self._statements.fetchone(
                    _CALL, (session, rule_id, len(batch), sorted(nth) or None, answers))
            except Exception as error:  # each match fails as a lone statement would
                for done in batch:
                    if not done.done():
                        done.set_exception(error)
                continue
            for done in batch:
                seen += 1
                answering = (not nth or seen in nth) and (answers is None or served < answers)
                if not done.done():
                    done.set_result((served, answering))
                served += answering

"""Runtime rules, flags, counters and scenario states on PostgreSQL, shared by every replica.

scenarios/state.py's SharedState with its SQL run by PgConnection: a counting rule's match is one
statement (ADVANCE, the row lock keeps it exact), a scenario's transition one transaction holding the
rules' advisory lock, so `times`, `nth`, sequences and scenario transitions are exact fleet-wide; changes reach other replicas by LISTEN/NOTIFY
(notifications.py).
"""

from __future__ import annotations

from ..scenarios.state import SCHEMA as RULES_SCHEMA
from ..scenarios.state import SharedState
from .async_pool import AsyncStatements
from .connection import PgConnection, postgres_schema
from .notifications import TABLE as LISTENERS
from .notifications import Notifications

NAMESPACE = "mock_rules"
LOCK_KEY = 2
CHANNEL = "mockserver_rules"

# A counting rule's match in one round trip: the row is locked by the statement itself, so the count is
# exact across replicas without a transaction of ours (scenario.state.py's advance_counter, in SQL).
ADVANCE = """
CREATE OR REPLACE FUNCTION advance_counter(p_session TEXT, p_rule TEXT, p_nth BIGINT[], p_answers BIGINT,
                                           OUT answered BIGINT, OUT answers_now BOOLEAN) LANGUAGE plpgsql AS $$
DECLARE
    matched BIGINT;
BEGIN
    INSERT INTO counters VALUES (p_session, p_rule, 1, 0) ON CONFLICT (session, rule)
        DO UPDATE SET seen = counters.seen + 1
        RETURNING counters.seen, counters.served INTO matched, answered;
    answers_now := (p_nth IS NULL OR matched = ANY (p_nth)) AND (p_answers IS NULL OR answered < p_answers);
    IF answers_now THEN
        UPDATE counters SET served = served + 1 WHERE session = p_session AND rule = p_rule;
    END IF;
END $$;
"""

SCHEMA = postgres_schema(RULES_SCHEMA) + LISTENERS + ADVANCE


class PgRuleState(SharedState):
    def __init__(self, url: str) -> None:
        self.path = None
        self._open(PgConnection(url, NAMESPACE, LOCK_KEY, SCHEMA, durable=False), Notifications(url, CHANNEL, NAMESPACE), "")
        self._statements = AsyncStatements(url, NAMESPACE)

    async def advance_counter(self, session: str, rule_id: str, nth: frozenset[int],
                              answers: int | None) -> tuple[int, bool]:
        if not self._db.ready:
            self._db.ensure_ready()  # the function is created with the schema
        row = await self._statements.fetchone(
            "SELECT answered, answers_now FROM advance_counter(%s, %s, %s::BIGINT[], %s::BIGINT)",
            (session, rule_id, sorted(nth) or None, answers))
        return row[0], row[1]

    def _bump(self) -> None:
        super()._bump()
        self._db.execute(f"SELECT pg_notify('{CHANNEL}', ?)", (str(self._committing),))

"""Runtime rules, flags, counters and scenario states on PostgreSQL, shared by every replica.

scenarios/state.py's SharedState with its SQL run by PgConnection. A counting rule's matches take one
statement per batch of concurrent ones (counters.py: the row lock keeps the count exact); a scenario's
transition one transaction holding the rules' advisory lock. So `times`, `nth`, sequences and
scenario transitions are exact fleet-wide; changes reach other replicas by LISTEN/NOTIFY
(notifications.py).
"""

from __future__ import annotations

from ..scenarios.state import SCHEMA as RULES_SCHEMA
from ..scenarios.state import SharedState
from .async_pool import AsyncStatements
from .connection import PgConnection, postgres_schema
from .counters import FUNCTION as COUNT_MATCHES
from .counters import CounterBatches
from .notifications import TABLE as LISTENERS
from .notifications import Notifications

NAMESPACE = "mock_rules"
LOCK_KEY = 2
CHANNEL = "mockserver_rules"

SCHEMA = postgres_schema(RULES_SCHEMA) + LISTENERS + COUNT_MATCHES


class PgRuleState(SharedState):
    def __init__(self, url: str) -> None:
        self.path = None
        self._open(PgConnection(url, NAMESPACE, LOCK_KEY, SCHEMA, durable=False),
                   Notifications(url, CHANNEL, NAMESPACE), "")
        self._counters = CounterBatches(AsyncStatements(url, NAMESPACE))

    async def advance_counter(self, session: str, rule_id: str, nth: frozenset[int],
                              answers: int | None) -> tuple[int, bool]:
        if not self._db.ready:
            self._db.ensure_ready()  # the function is created with the schema
        return await self._counters.advance(session, rule_id, nth, answers)

    def _bump(self) -> None:
        super()._bump()
        self._db.execute(f"SELECT pg_notify('{CHANNEL}', ?)", (str(self._committing),))

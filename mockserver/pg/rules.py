"""Runtime rules, flags, counters and scenario states on PostgreSQL, shared by every replica.

scenarios/state.py's SharedState with its SQL run by PgConnection: a stateful rule's counter is
read and written in one transaction holding the rules' advisory lock, so `times`, `nth`, sequences
and scenario transitions are exact fleet-wide; changes reach other replicas by LISTEN/NOTIFY
(notifications.py).
"""

from __future__ import annotations

from ..scenarios.state import SCHEMA as RULES_SCHEMA
from ..scenarios.state import SharedState
from .connection import PgConnection, postgres_schema
from .notifications import TABLE as LISTENERS
from .notifications import Notifications

NAMESPACE = "mock_rules"
LOCK_KEY = 2
CHANNEL = "mockserver_rules"

SCHEMA = postgres_schema(RULES_SCHEMA) + LISTENERS


class PgRuleState(SharedState):
    def __init__(self, url: str) -> None:
        self.path = None
        self._open(PgConnection(url, NAMESPACE, LOCK_KEY, SCHEMA), Notifications(url, CHANNEL, NAMESPACE), "")

    def _bump(self) -> None:
        super()._bump()
        self._db.execute(f"SELECT pg_notify('{CHANNEL}', ?)", (str(self._committing),))

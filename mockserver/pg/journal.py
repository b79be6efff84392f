"""The request journal on PostgreSQL: every replica's requests, for /_mock/journal and verify.

journal.py's SharedJournal (entries buffered and written in batches) over PgConnection. A batch
that cannot be written while the database is away stays buffered and is written later.
"""

from __future__ import annotations

import asyncio
import threading

from ..db import StoreUnavailable
from ..journal import Journal, SharedJournal
from .connection import PgConnection, log

NAMESPACE = "mock_journal"
LOCK_KEY = 3
SETTLE_SECONDS = 0.1  # a read first waits this long: the other replicas' batches are written by then
RETRY_SECONDS = 1.0

SCHEMA = "CREATE TABLE IF NOT EXISTS journal (seq BIGSERIAL PRIMARY KEY, session TEXT NOT NULL, entry BYTEA NOT NULL)"


class PgJournal(SharedJournal):
    def __init__(self, url: str, size: int = 1000, on: bool = False) -> None:
        Journal.__init__(self, size, on)
        self._db = PgConnection(url, NAMESPACE, LOCK_KEY, SCHEMA)
        self._buffer = []
        self._flush_scheduled = False
        self._lock = threading.Lock()

    def flush(self) -> None:
        pending = list(self._buffer)
        try:
            super().flush()
        except StoreUnavailable:
            self._db.execute("ROLLBACK")  # release the transaction's connection, if one was taken
            self._buffer[:0] = pending  # not written: keep them, in order, and try again soon
            log.warning("mockserver: %d journal entries not yet written (database unreachable)", len(pending))
            self._retry_later()

    def _retry_later(self) -> None:
        if self._flush_scheduled:
            return
        self._flush_scheduled = True
        try:
            asyncio.get_running_loop().call_later(RETRY_SECONDS, self.flush)
        except RuntimeError:
            self._flush_scheduled = False

    async def entries(self, session: str | None = None, since: int = 0) -> list[dict]:
        self.flush()
        await asyncio.sleep(SETTLE_SECONDS)
        return await super().entries(session, since)

"""The request journal on PostgreSQL: every replica's requests, for /_mock/journal and verify.

An entry is written before the last byte of its response leaves (`persist`), through asyncpg
(async_pool.py): a client that received an answer finds it in the journal even if the replica is killed right
after. Entries of concurrent requests share one INSERT (a group commit), and the connection commits
without waiting for the server's disk flush (see connection.py's `durable`). While the database is
away, entries fall back to journal.py's SharedJournal buffer (batches written when it is back) and
the answers still go out: a replica killed during an outage loses what it buffered.
"""

from __future__ import annotations

import asyncio
import threading

import orjson

from ..db import Entry, StoreUnavailable
from ..journal import Journal, SharedJournal
from .async_pool import AsyncStatements
from .connection import PgConnection, log

NAMESPACE = "mock_journal"
LOCK_KEY = 3
SETTLE_SECONDS = 0.1  # a read first waits this long: the other replicas' batches are written by then
RETRY_SECONDS = 1.0
TRIM_EVERY = 256  # entries written between two trims of the journal to its size

SCHEMA = "CREATE TABLE IF NOT EXISTS journal (seq BIGSERIAL PRIMARY KEY, session TEXT NOT NULL, entry BYTEA NOT NULL)"
_INSERT = "INSERT INTO journal (session, entry) SELECT * FROM unnest(%s::TEXT[], %b::BYTEA[])"  # %b: bytes as they are
_TRIM = "DELETE FROM journal WHERE seq <= (SELECT max(seq) FROM journal) - %s"


class PgJournal(SharedJournal):
    durable = True

    def __init__(self, url: str, size: int = 1000, on: bool = False) -> None:
        Journal.__init__(self, size, on)
        self._db = PgConnection(url, NAMESPACE, LOCK_KEY, SCHEMA, durable=False)
        self._buffer = []
        self._flush_scheduled = False
        self._lock = threading.Lock()
        self._writer = _GroupWriter(url, size)

    async def persist(self, entry: Entry) -> None:
        """Write `entry` now (buffered instead when the database is away)."""
        try:
            if not self._db.ready:
                self._db.ensure_ready()  # the table is created with the schema
            await self._writer.write(entry)
        except StoreUnavailable:
            self.record(entry)

    def flush(self) -> None:
        pending = list(self._buffer)
        try:
            super().flush()
        except StoreUnavailable:
            self._db.execute("ROLLBACK")  # release the transaction's connection, if one was taken
            self._buffer[:0] = pending  # not written: keep them, in order, and try again soon
            if not self._flush_scheduled:  # once per outage, not at every retry
                log.warning("mockserver: journal entries buffered until the database is back")
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


class _GroupWriter:
    """Entries that arrive while a write is under way go together in the next one."""

    def __init__(self, url: str, size: int) -> None:
        self._size = size
        self._statements = AsyncStatements(url, NAMESPACE, size=1)
        self._waiting: list[tuple[Entry, asyncio.Future[None]]] = []
        self._writing = False
        self._since_trim = 0

    async def write(self, entry: Entry) -> None:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        self._waiting.append((entry, done))
        if not self._writing:
            self._writing = True
            loop.create_task(self._drain())
        await done

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                try:
                    await self._insert([entry for entry, _ in batch])
                except Exception as error:  # each waiter buffers its entry instead
                    if not isinstance(error, StoreUnavailable):
                        log.error("mockserver: journal entries not written: %r", error)
                        error = StoreUnavailable(str(error))
                    for _, done in batch:
                        done.set_exception(error)
                    continue
                for _, done in batch:
                    done.set_result(None)
        finally:
            self._writing = False

    async def _insert(self, batch: list[Entry]) -> None:
        sessions = [entry["session"] for entry in batch]
        blobs = [orjson.dumps(entry, default=str) for entry in batch]
        await self._statements.execute(_INSERT, (sessions, blobs))
        self._since_trim += len(batch)
        if self._since_trim >= TRIM_EVERY:
            self._since_trim = 0
            await self._statements.execute(_TRIM, (self._size,))

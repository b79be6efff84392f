"""psycopg's async API for the statements on a request's path (counters, journal entries): the event
loop serves other requests while one waits for the database, so concurrent requests overlap their
round trips instead of queueing behind each other.

It fails as fast as connection.py: nothing is tried while the database is marked down
(availability.py), a lost connection is retried once, then the database is marked down. The pool
is opened on the event loop at first use and replaced after an outage (its connections are dead).
"""

from __future__ import annotations

import asyncio
from typing import Any, Sequence

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ..db import StoreUnavailable
from .availability import availability

CHECKOUT_SECONDS = 1.0
STATEMENT_SECONDS = 1.0  # a database that stops answering (a partition) fails the request after this
_LOST = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout, TimeoutError)


class AsyncStatements:
    def __init__(self, url: str, namespace: str, *, size: int = 8) -> None:
        self._url, self._size = url, size
        self._options = f"-c search_path={namespace} -c synchronous_commit=off"  # see connection.py `durable`
        self._name = f"mockserver-async-{namespace}"
        self._availability = availability(url)
        self._availability.when_up(self._mark_stale)
        self._pool: AsyncConnectionPool | None = None
        self._stale = False

    def _mark_stale(self) -> None:
        """The database is back (probe thread): the pool's connections are from before the outage."""
        self._stale = True

    async def fetchone(self, sql: str, args: Sequence[Any]) -> Any:
        return await self._run(sql, args, fetch=True)

    async def execute(self, sql: str, args: Sequence[Any]) -> None:
        await self._run(sql, args, fetch=False)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    async def _run(self, sql: str, args: Sequence[Any], *, fetch: bool) -> Any:
        for attempt in range(2):  # a connection from before a database restart fails once
            if not self._availability.up:
                raise StoreUnavailable("the database is unreachable")
            pool = await self._current()
            try:
                async with asyncio.timeout(STATEMENT_SECONDS):
                    async with pool.connection(timeout=CHECKOUT_SECONDS) as conn:
                        cursor = await conn.execute(sql, args)
                        return await cursor.fetchone() if fetch else None
            except _LOST as error:
                if attempt or isinstance(error, (PoolTimeout, TimeoutError)):
                    self._availability.lost(error)
                    raise StoreUnavailable(f"the database is unreachable: {error}") from None
        raise StoreUnavailable("the database is unreachable")

    async def _current(self) -> AsyncConnectionPool:
        if self._pool is None or self._stale:
            self._stale = False
            old, self._pool = self._pool, AsyncConnectionPool(
                self._url, min_size=1, max_size=self._size, open=False, name=self._name,
                kwargs={"autocommit": True, "options": self._options})
            await self._pool.open(wait=False)
            if old is not None:
                asyncio.get_running_loop().create_task(old.close(timeout=0))
        return self._pool

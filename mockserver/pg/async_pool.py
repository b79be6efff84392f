"""asyncpg for the statements on a request's path (counters, journal entries): the event loop serves
other requests while one waits for the database, so concurrent requests overlap their round trips
instead of queueing behind each other. asyncpg rather than psycopg's async API here: its protocol is
in C, and a counter rule's request measured about twice as fast with it (docs/replicas.md).

It fails as fast as connection.py: nothing is tried while the database is marked down
(availability.py), a lost connection is retried once, then the database is marked down. The pool
is opened on the event loop at first use and replaced after an outage (its connections are dead).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any, Sequence

import asyncpg

from ..db import StoreUnavailable
from .availability import availability

CHECKOUT_SECONDS = 5.0  # a busy pool (many requests at once, the database up): wait for a connection
STATEMENT_SECONDS = 5.0  # a database that stops answering (a partition) is given up on after this
_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.exceptions.OperatorInterventionError,
         OSError, TimeoutError)
_PLACEHOLDER = re.compile(r"%[sb]")


class AsyncStatements:
    def __init__(self, url: str, namespace: str, *, size: int = 16) -> None:
        self._url, self._size, self._namespace = url, size, namespace
        self._availability = availability(url)
        self._availability.when_up(self._mark_stale)
        self._pool: asyncpg.Pool | None = None
        self._stale = False
        self._opening: asyncio.Task[asyncpg.Pool] | None = None
        self._sql: dict[str, str] = {}

    def _mark_stale(self) -> None:
        """The database is back (probe thread): the pool's connections are from before the outage."""
        self._stale = True

    async def fetchone(self, sql: str, args: Sequence[Any]) -> Any:
        return await self._run(sql, args, fetch=True)

    async def execute(self, sql: str, args: Sequence[Any]) -> None:
        await self._run(sql, args, fetch=False)

    async def _run(self, sql: str, args: Sequence[Any], *, fetch: bool) -> Any:
        query = self._sql.get(sql)
        if query is None:  # psycopg's %s placeholders (the callers' dialect) as asyncpg's $1, $2...
            numbers = iter(range(1, 1000))
            query = self._sql[sql] = _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)
        for attempt in range(2):  # a connection from before a database restart fails once
            if not self._availability.up:
                raise StoreUnavailable("the database is unreachable")
            try:
                pool = await self._current()
                async with asyncio.timeout(STATEMENT_SECONDS):
                    try:
                        conn = await pool.acquire(timeout=CHECKOUT_SECONDS)
                    except TimeoutError:  # busy, not away: this request fails, the others go on
                        raise StoreUnavailable("no database connection free in time") from None
                    try:
                        return await (conn.fetchrow(query, *args) if fetch else conn.execute(query, *args))
                    finally:
                        await pool.release(conn)
            except _LOST as error:
                if attempt or isinstance(error, TimeoutError):
                    self._availability.lost(error)
                    raise StoreUnavailable(f"the database is unreachable: {error}") from None
        raise StoreUnavailable("the database is unreachable")

    async def _current(self) -> asyncpg.Pool:
        if self._pool is not None and not self._stale:
            return self._pool
        if self._opening is None:  # the first of the requests that found no pool opens it, for all
            self._opening = asyncio.get_running_loop().create_task(self._open())
        opening = self._opening
        try:
            return await asyncio.shield(opening)
        finally:
            if self._opening is opening and opening.done():
                self._opening = None

    async def _open(self) -> asyncpg.Pool:
        self._stale = False
        pool = await asyncpg.create_pool(self._url, min_size=1, max_size=self._size,
                                         server_settings={"search_path": self._namespace, "synchronous_commit": "off"})
        old, self._pool = self._pool, pool
        if old is not None:
            old.terminate()
        return pool

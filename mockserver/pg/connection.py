"""A psycopg pool that runs the store modules' SQLite-dialect SQL on PostgreSQL.

The store modules write `?` placeholders and `BEGIN IMMEDIATE` for "one writer at a time"; here the
first becomes `%s` and the second a transaction holding an advisory lock, so a read-modify-write
(`update`, `once`) is exact across every replica, as SQLite's write lock makes it across workers.

A lost connection is retried once, on another connection (one from before a database restart fails
once); then the database is marked down (availability.py) and every statement fails at once with
StoreUnavailable until a probe sees it back: a request fails fast in the API's envelope, nothing is
acknowledged that was not committed, and the event loop never waits on a database that is away.
A replica starts without the database: the schema is created when it is first reachable.

`durable=False` (rules, counters, journal, buckets: a mock's bookkeeping, as SQLite keeps it with
`synchronous=OFF`) commits without waiting for the server's disk flush: other replicas see the
change at once and a replica's crash loses nothing; only a crash of the database server itself may
lose the last fraction of a second. The object store keeps PostgreSQL's full durability.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Callable, Iterable, Sequence

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ..db import StoreUnavailable
from .availability import availability

log = logging.getLogger("mockserver")
logging.getLogger("psycopg.pool").setLevel(logging.ERROR)  # its every reconnection attempt; ours says it once

CHECKOUT_SECONDS = 1.0  # waiting for a pooled connection while the database is up
RETRY_CHECKOUT_SECONDS = 0.05  # after a lost connection: another must be at hand (the loop waits meanwhile)
CONNECT_SECONDS = 2.0  # a new pool's first connection after an outage
_LOST = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)


class PgConnection:
    """What the store modules need of a sqlite3 connection: execute, executemany, close."""

    def __init__(self, url: str, namespace: str, lock_key: int, schema: str, *, size: int = 2,
                 migrations: Sequence[tuple[str, str]] = (), durable: bool = True) -> None:
        self.namespace = namespace
        self._url, self._size = url, size
        self._options = f"-c search_path={namespace}" + ("" if durable else " -c synchronous_commit=off")
        self._begin = f"BEGIN; SELECT pg_advisory_xact_lock({lock_key})"
        self._held: tuple[ConnectionPool, psycopg.Connection] | None = None  # the open transaction's
        self._sql: dict[str, str] = {}
        self._prepare = lambda conn: _create(conn, namespace, schema, migrations)
        self._closed = False
        self.ready = False  # the schema exists: set at the first contact with the database
        self.after_ready: list[Callable[[], None]] = []  # start-up work that waited for the database
        self._pool = self._new_pool(wait=False)
        self._availability = availability(url)
        self._availability.when_up(self._reconnect)
        self._availability.track(self)
        try:
            self.ensure_ready()
        except StoreUnavailable as error:
            if self._availability.up:  # otherwise availability.py has said so
                log.warning("mockserver: %s store not ready yet: %s", namespace, error)

    def ensure_ready(self) -> None:
        """At the first contact with the database: the schema, then the start-up work that waited for it
        (in the caller's thread, before its statement). StoreUnavailable while the database is away."""
        if self.ready:
            return
        self._retrying(self._prepare)
        self.ready = True
        waiting, self.after_ready = self.after_ready, []
        for action in waiting:
            action()

    def _new_pool(self, *, wait: bool) -> ConnectionPool:
        pool = ConnectionPool(self._url, min_size=1, max_size=self._size, open=False, timeout=CHECKOUT_SECONDS,
                              kwargs={"autocommit": True, "options": self._options},
                              name=f"mockserver-{self.namespace}")
        pool.open(wait=wait, timeout=CONNECT_SECONDS)
        return pool

    def _reconnect(self) -> None:
        """The database is back (called by the probe thread): a fresh pool (the old one backs off)."""
        if self._closed:
            return
        old, self._pool = self._pool, self._new_pool(wait=True)
        old.close(timeout=0)

    def close(self) -> None:
        self._closed = True
        self._availability.forget(self)
        self._pool.close()

    def execute(self, sql: str, args: Sequence[Any] = ()) -> psycopg.Cursor:
        if not self.ready:
            self.ensure_ready()
        if sql == "BEGIN IMMEDIATE":
            self._held = self._retrying(self._start, keep=True)
            return None  # type: ignore[return-value]
        if sql in ("COMMIT", "ROLLBACK"):
            return self._finish(sql)
        query, args = self._translate(sql), _text_safe(args)
        if self._held is not None:
            return self._in_transaction(lambda conn: conn.execute(query, args))
        return self._retrying(lambda conn: conn.execute(query, args))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        if not self.ready:
            self.ensure_ready()
        query, batch = self._translate(sql), [_text_safe(row) for row in rows]

        def run(conn: psycopg.Connection) -> None:
            with conn.cursor() as cursor:
                cursor.executemany(query, batch)

        if self._held is not None:
            self._in_transaction(run)
        else:
            self._retrying(run)

    # -- transactions -------------------------------------------------------------------------------

    def _start(self, conn: psycopg.Connection) -> tuple[ConnectionPool, psycopg.Connection]:
        conn.execute(self._begin)
        return self._pool, conn

    def _finish(self, sql: str) -> None:
        held, self._held = self._held, None
        if held is None:
            return None
        pool, conn = held
        try:
            conn.execute(sql)
        except _LOST as error:
            self._availability.lost(error)
            if sql == "COMMIT":  # committed or not: the caller must not report success
                raise StoreUnavailable(f"lost the database connection while committing: {error}") from None
        finally:
            _give_back(pool, conn)  # a broken connection is discarded and replaced by the pool
        return None

    def _in_transaction(self, action: Any) -> Any:
        try:
            return action(self._held[1])  # type: ignore[index]
        except _LOST as error:
            self._availability.lost(error)
            raise StoreUnavailable(f"lost the database connection in a transaction: {error}") from None

    # -- failing fast -------------------------------------------------------------------------------

    def _retrying(self, action: Any, *, keep: bool = False) -> Any:
        """Run `action(connection)`; a lost connection is retried once on another, then the database is
        marked down. `keep`: the connection stays checked out (a transaction begins on it)."""
        for attempt in range(2):
            if not self._availability.up:
                raise StoreUnavailable("the database is unreachable")
            pool, conn = self._pool, None
            try:
                conn = pool.getconn(timeout=RETRY_CHECKOUT_SECONDS if attempt else None)
                result = action(conn)
            except _LOST as error:
                if conn is not None:
                    _discard(conn)
                    _give_back(pool, conn)
                if attempt or isinstance(error, PoolTimeout):
                    self._availability.lost(error)
                    raise StoreUnavailable(f"the database is unreachable: {error}") from None
                continue
            except BaseException:  # a bad statement, not a lost connection: give the connection back
                if conn is not None:
                    _give_back(pool, conn)
                raise
            if not keep:
                pool.putconn(conn)
            return result
        raise StoreUnavailable("the database is unreachable")

    def _translate(self, sql: str) -> str:
        query = self._sql.get(sql)
        if query is None:
            query = self._sql[sql] = sql.replace("%", "%%").replace("?", "%s")
        return query


_DIALECT = ((r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b", "BIGSERIAL PRIMARY KEY"), (r"\bINTEGER\b", "BIGINT"),
            (r"\bBLOB\b", "BYTEA"), (r"\bREAL\b", "DOUBLE PRECISION"), (r"\)\s*WITHOUT ROWID", ")"))


def postgres_schema(sqlite_schema: str) -> str:
    """A store module's SQLite schema in PostgreSQL's types: one schema to keep, not two."""
    for pattern, replacement in _DIALECT:
        sqlite_schema = re.sub(pattern, replacement, sqlite_schema)
    return sqlite_schema


def _text_safe(args: Sequence[Any]) -> Sequence[Any]:
    """PostgreSQL text cannot hold NUL, which SQLite accepts: a client's id or filter with one
    matches nothing either way, so it becomes U+FFFD rather than an error."""
    if any(type(a) is str and "\x00" in a for a in args):
        return [a.replace("\x00", "\ufffd") if type(a) is str else a for a in args]
    return args


def _give_back(pool: ConnectionPool, conn: psycopg.Connection) -> None:
    """Return `conn` to the pool it came from (which may have been replaced, and closed, meanwhile)."""
    try:
        pool.putconn(conn)
    except Exception:  # the pool is closed: the connection is closed with it
        _discard(conn)


def _discard(conn: psycopg.Connection) -> None:
    """Close a connection that failed, so that the pool replaces it instead of handing it out again."""
    try:
        conn.close()
    except Exception:  # already broken: nothing more to release
        pass


def _create(conn: psycopg.Connection, namespace: str, schema: str, migrations: Sequence[tuple[str, str]]) -> None:
    """The schema, created or migrated at start-up: one transaction, serialised across replicas.

    `schema` creates what is missing; `migrations` are (name, SQL) steps for databases made by an
    older version (ALTER TABLE ...), each run once, in order, and recorded."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(0)")
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {namespace}")
        conn.execute(schema)
        conn.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)")
        done = {name for (name,) in conn.execute("SELECT name FROM migrations").fetchall()}
        for name, sql in migrations:
            if name not in done:
                conn.execute(sql)
                conn.execute("INSERT INTO migrations VALUES (%s, now())", (name,))

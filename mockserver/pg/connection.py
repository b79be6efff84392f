"""A psycopg pool that runs the store modules' SQLite-dialect SQL on PostgreSQL.

The store modules write `?` placeholders and `BEGIN IMMEDIATE` for "one writer at a time"; here the
first becomes `%s` and the second a transaction holding an advisory lock, so a read-modify-write
(counters, `update`, `once`) is exact across every replica, as SQLite's write lock makes it across
workers. A lost connection is retried while that is safe (a statement on its own, or the start of a
transaction) for up to RETRY_SECONDS, then reported as StoreUnavailable: a request fails in the
API's envelope and nothing is acknowledged that was not committed.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Iterable, Sequence

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from ..db import StoreUnavailable

log = logging.getLogger("mockserver")

RETRY_SECONDS = 8.0
CONNECT_SECONDS = 10.0  # at start-up: then the replica refuses to start
_BACKOFF = (0.05, 0.1, 0.25, 0.5, 1.0)
_LOST = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)


class PgConnection:
    """What the store modules need of a sqlite3 connection: execute, executemany, close."""

    def __init__(self, url: str, namespace: str, lock_key: int, schema: str, *, size: int = 2,
                 migrations: Sequence[tuple[str, str]] = ()) -> None:
        self.namespace = namespace
        self._begin = f"BEGIN; SELECT pg_advisory_xact_lock({lock_key})"
        self._held: psycopg.Connection | None = None  # the connection of the open transaction
        self._sql: dict[str, str] = {}
        self._pool = ConnectionPool(url, min_size=1, max_size=size, open=False, timeout=RETRY_SECONDS,
                                    kwargs={"autocommit": True, "options": f"-c search_path={namespace}"},
                                    name=f"mockserver-{namespace}")
        try:
            self._pool.open(wait=True, timeout=CONNECT_SECONDS)
        except PoolTimeout:
            self._pool.close()
            raise StoreUnavailable(f"cannot connect to {_without_password(url)} within {CONNECT_SECONDS:g} s") \
                from None
        self._retrying(lambda conn: _create(conn, namespace, schema, migrations))

    def close(self) -> None:
        self._pool.close()

    def execute(self, sql: str, args: Sequence[Any] = ()) -> psycopg.Cursor:
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
        query, batch = self._translate(sql), [_text_safe(row) for row in rows]

        def run(conn: psycopg.Connection) -> None:
            with conn.cursor() as cursor:
                cursor.executemany(query, batch)

        if self._held is not None:
            self._in_transaction(run)
        else:
            self._retrying(run)

    # -- transactions -------------------------------------------------------------------------------

    def _start(self, conn: psycopg.Connection) -> psycopg.Connection:
        conn.execute(self._begin)
        return conn

    def _finish(self, sql: str) -> None:
        conn, self._held = self._held, None
        if conn is None:
            return None
        try:
            conn.execute(sql)
        except _LOST as error:
            if sql == "COMMIT":  # committed or not: the caller must not report success
                raise StoreUnavailable(f"lost the database connection while committing: {error}") from None
        finally:
            self._pool.putconn(conn)  # a broken connection is discarded and replaced by the pool
        return None

    def _in_transaction(self, action: Any) -> Any:
        try:
            return action(self._held)
        except _LOST as error:
            raise StoreUnavailable(f"lost the database connection in a transaction: {error}") from None

    # -- retries ------------------------------------------------------------------------------------

    def _retrying(self, action: Any, *, keep: bool = False) -> Any:
        """Run `action(connection)`, on fresh connections while the database is away; `keep`: the
        connection stays checked out (a transaction begins on it)."""
        deadline = time.monotonic() + RETRY_SECONDS
        for attempt in range(1_000):
            conn = None
            try:
                conn = self._pool.getconn(timeout=max(0.1, deadline - time.monotonic()))
                result = action(conn)
            except _LOST as error:
                if conn is not None:
                    _discard(conn)
                    self._pool.putconn(conn)
                if time.monotonic() >= deadline:
                    log.error("mockserver: database unreachable (%s store): %s", self.namespace, error)
                    raise StoreUnavailable(f"the database is unreachable: {error}") from None
                if attempt == 0:
                    log.warning("mockserver: database connection lost (%s store); retrying", self.namespace)
                time.sleep(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
                continue
            except BaseException:  # a bad statement, not a lost connection: give the connection back
                if conn is not None:
                    self._pool.putconn(conn)
                raise
            if not keep:
                self._pool.putconn(conn)
            if attempt:
                log.warning("mockserver: database connection restored (%s store)", self.namespace)
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


def _without_password(url: str) -> str:
    scheme, _, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    return f"{scheme}://{credentials.split(':', 1)[0]}{at}{host}" if at else url


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

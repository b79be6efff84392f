"""A throwaway PostgreSQL server for the `--store postgresql` rows (the test suite's own recipe)."""

from __future__ import annotations

import sys

from .install import BENCH

sys.path.insert(0, str(BENCH.parent))  # the repository root: tests/ holds the recipe
from tests.replicas.postgres_server import PostgresServer, PostgresUnavailable  # noqa: E402

KEYS = ("mock-pg", "mock-pg-rule", "mock-pg-journal")
SHOWN = ("server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers")


def start(only: frozenset[str]) -> PostgresServer | None:
    """A server with PostgreSQL's durable defaults (fsync on) when a selected row needs one; None (those
    rows fail, alone) when it cannot start."""
    if only and not only.intersection(KEYS):
        return None
    try:
        return PostgresServer.create(durable=True)
    except PostgresUnavailable as error:
        print(f"[bench] no PostgreSQL for the --store rows: {error}", file=sys.stderr, flush=True)
        return None


def settings(server: PostgresServer) -> str:
    """The server's settings that decide write speed, as the report states them."""
    import psycopg

    with psycopg.connect(server.url, autocommit=True) as conn:
        return ", ".join(f"{name}={conn.execute(f'SHOW {name}').fetchone()[0]}" for name in SHOWN)

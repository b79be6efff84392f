"""The storage seam: one small interface per kind of state, and the recipe that picks its backend.

Every kind of state has two implementations: SQLite (the embedded default: in memory, or files
under --data-dir that the workers of one machine share) and PostgreSQL (`--store postgresql://...`,
shared by replicas on many machines; see mockserver/pg/). Callers only see the interfaces below;
SQL lives in the store modules (store/, scenarios/state.py, journal.py, ratelimit.py, pg/).
"""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable, ContextManager, Mapping, Protocol, Sequence

if TYPE_CHECKING:
    from .config import Config
    from .journal import Entry, Journal
    from .ratelimit import Buckets
    from .store import BlobWriter, Page

STORE_ENV = "MOCKSERVER_STORE"
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


class StoreUnavailable(RuntimeError):
    """The shared database cannot be reached (after retrying): the request fails, loudly, in the
    API's error envelope; nothing is reported as done that was not stored."""


def connect(path: Path | None) -> sqlite3.Connection:
    """The embedded database: an autocommit connection; WAL and no fsync for files (a mock's
    rules and counters are not precious; the object store asks for more, see store/__init__.py)."""
    db = sqlite3.connect(str(path) if path else ":memory:", isolation_level=None, check_same_thread=False,
                         timeout=10.0)
    if path:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
    return db


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.startswith(POSTGRES_SCHEMES)  # type: ignore[union-attr]


def check_store_url(url: str | None) -> None:
    """Raise ValueError for a --store this build cannot use (before any worker starts)."""
    if not url or url in ("sqlite", "sqlite:"):
        return
    if not is_postgres(url):
        raise ValueError(f"--store: expected postgresql://user@host/db (or sqlite), not {url!r}")
    if not all(importlib.util.find_spec(name) for name in ("psycopg", "psycopg_pool")):
        raise ValueError("--store postgresql://...: install the driver first: "
                         "pip install 'anthropic-mockserver[postgres]'")


# -- the interfaces ---------------------------------------------------------------------------------

class ObjectStore(Protocol):
    """Objects of every family, batches and their results, uploaded bytes, the usage ledger."""

    def transaction(self) -> ContextManager[None]: ...
    def once(self, name: str, action: Callable[[], None]) -> bool: ...
    def new_id(self, kind: str, prefix: str) -> str: ...
    def insert(self, kind: str, doc: dict[str, Any], *, prefix: str | None = None,
               parent: str = "") -> dict[str, Any]: ...
    def get(self, kind: str, object_id: str, parent: str = "") -> dict[str, Any] | None: ...
    def update(self, kind: str, object_id: str, change: Callable[[dict[str, Any]], Any],
               parent: str = "") -> dict[str, Any] | None: ...
    def delete(self, kind: str, object_id: str, parent: str = "") -> bool: ...
    def count(self, kind: str, parent: str = "", where: Any = None) -> int: ...
    def all(self, kind: str, parent: str = "", where: Any = None) -> list[dict[str, Any]]: ...
    def page(self, kind: str, **options: Any) -> Page: ...
    def create_batch(self, doc: dict[str, Any], requests: Sequence[tuple[str, Any]]) -> dict[str, Any]: ...
    def pending_batch_requests(self, batch_id: str, limit: int) -> list[tuple[int, str, Any]]: ...
    def save_batch_outcomes(self, batch_id: str, outcomes: Sequence[tuple[int, str, bytes]]) -> list[int]: ...
    def batch_outcome_counts(self, batch_id: str) -> dict[str | None, int]: ...
    def batch_result_lines(self, batch_id: str, after_idx: int, limit: int) -> list[tuple[int, bytes]]: ...
    def new_blob(self) -> ContextManager[BlobWriter]: ...
    def blob_chunks(self, name: str) -> AsyncIterator[bytes]: ...
    def delete_blob(self, name: str) -> None: ...
    def record_usage(self, at: float, dimensions: Sequence[Any], measures: Sequence[int]) -> None: ...
    def usage_totals(self, *, start: float, end: float, width: float, group_by: Sequence[str] = (),
                     where: Mapping[str, Sequence[str | None]] | None = None) -> list[dict[str, Any]]: ...
    def close(self) -> None: ...


class RuleState(Protocol):
    """Runtime rules, flags, per-rule counters and scenario states, with change detection."""

    def changed(self) -> bool: ...
    def unsee(self) -> None: ...
    def generation(self) -> int: ...
    def flag(self, name: str, default: int = 0) -> int: ...
    def set_flag(self, name: str, value: int) -> None: ...
    def transaction(self) -> ContextManager[None]: ...
    def runtime_rules(self) -> list[tuple[int, str, str, dict[str, Any]]]: ...
    def put_rules(self, session: str, specs: list[dict[str, Any]]) -> list[tuple[int, str]]: ...
    def delete_rule(self, session: str, rule_id: str) -> bool: ...
    def clear_rules(self, session: str | None) -> int: ...
    def counter(self, session: str, rule_id: str) -> tuple[int, int]: ...
    def save_counter(self, session: str, rule_id: str, seen: int, served: int) -> None: ...
    def scenario(self, session: str, name: str) -> str: ...
    def move_scenario(self, session: str, name: str, state: str) -> None: ...
    def set_scenario(self, session: str, name: str, state: str) -> None: ...
    def scenarios(self, session: str | None) -> list[dict[str, str]]: ...
    def reset_state(self, session: str | None) -> None: ...
    def close(self) -> None: ...


class RequestJournal(Protocol):
    on: bool
    shared: bool

    def record(self, entry: Entry) -> None: ...
    async def entries(self, session: str | None = None, since: int = 0) -> list[Entry]: ...
    def clear(self, session: str | None = None) -> int: ...
    def close(self) -> None: ...


# -- the recipe: which implementation a configuration gets -------------------------------------------

def postgres_url(config: Config) -> str | None:
    url = getattr(config, "store", None)
    return url if is_postgres(url) else None


def open_store(config: Config) -> ObjectStore:
    url = postgres_url(config)
    if url is not None:
        from .pg.store import PgStore

        return PgStore(url, config.seed)
    from .store import Store

    return Store.open(config)


def open_rule_state(config: Config, sqlite_path: Path | None) -> RuleState:
    url = postgres_url(config)
    if url is not None:
        from .pg.rules import PgRuleState

        return PgRuleState(url)
    from .scenarios.state import SharedState

    return SharedState(sqlite_path)


def open_request_journal(config: Config, data_dir: Path | None, on: bool) -> Journal:
    url = postgres_url(config)
    if url is not None:
        from .pg.journal import PgJournal

        return PgJournal(url, config.journal_size, on)
    from .journal import open_journal

    return open_journal(data_dir, config.workers, config.journal_size, on)


def open_buckets(config: Config, enforce: bool) -> Buckets:
    from .ratelimit import DB_NAME, MemoryBuckets, SharedBuckets

    url = postgres_url(config)
    if enforce and url is not None:
        from .pg.buckets import PgBuckets

        return PgBuckets(url)
    if enforce and config.workers > 1 and config.data_dir is not None:
        return SharedBuckets(Path(config.data_dir) / DB_NAME)
    return MemoryBuckets()

"""Which implementation of each kind of state a configuration gets (the interfaces are in db.py):
SQLite by default, PostgreSQL with `--store postgresql://...` (mockserver/pg/, loaded only then)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .db import ObjectStore, RequestJournal, RuleState, is_postgres

if TYPE_CHECKING:
    from .config import Config
    from .journal import Journal
    from .ratelimit import Buckets, RateLimiter


def postgres_url(config: Config) -> str | None:
    url = getattr(config, "store", None)
    return url if is_postgres(url) else None


def store_ready(config: Config) -> bool:
    """Can every request be answered? SQLite always; PostgreSQL once reached, and while reachable."""
    url = postgres_url(config)
    if url is None:
        return True
    from .pg.availability import availability

    return availability(url).ready()


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


def open_limiter(config: Config) -> RateLimiter | None:
    """Rate-limit headers and buckets, or None when neither is asked for."""
    from .ratelimit import RateLimiter, parse_limits

    if not config.rate_limit_headers and not config.rate_limits:
        return None
    enforce = bool(config.rate_limits)
    return RateLimiter(parse_limits(config.rate_limits), enforce, open_buckets(config, enforce),
                       config.organization_id)


@dataclass(frozen=True, slots=True)
class BehaviourStores:
    """What scenarios/behaviour.py keeps its state in: rules and counters, the journal, the buckets."""

    rules: RuleState
    journal: RequestJournal
    limiter: RateLimiter | None
    shared: bool  # other workers or replicas may change the rules


def open_behaviour_stores(config: Config) -> BehaviourStores:
    from .scenarios.state import DB_NAME

    data_dir = Path(config.data_dir) if config.data_dir is not None else None
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
    return BehaviourStores(
        rules=open_rule_state(config, data_dir / DB_NAME if data_dir is not None else None),
        journal=open_request_journal(config, data_dir, on=config.journal or bool(config.rules_files)),
        limiter=open_limiter(config),
        shared=config.workers > 1 or postgres_url(config) is not None,
    )

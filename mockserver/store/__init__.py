"""The mock's state: embedded SQLite plus uploaded bytes on disk.

In memory by default; with `Config.data_dir`, the file `<data_dir>/mock.sqlite3` (WAL, so several
worker processes can share it) and the blobs in `<data_dir>/files/`. Objects of every family live in
one `objects` table as JSON documents (objects.py); ids come from per-kind counters kept in the
database, so two workers never hand out the same id and the same seed replays the same ids. Batch
requests (batch_requests.py), uploaded bytes (blobs.py) and the usage ledger (usage.py) sit beside them.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..leftovers import BlobDirLease, remove_leftovers
from .batch_requests import BatchRequests
from .blobs import Blobs, BlobWriter
from .objects import Filters, Page, UnknownCursor
from .schema import SCHEMA
from .usage import MIGRATE_USAGE, USAGE_DIMENSIONS, USAGE_MEASURES, UsageLedger, key_digest

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["SCHEMA", "USAGE_DIMENSIONS", "USAGE_MEASURES", "BlobWriter", "Filters", "Page", "Store",
           "UnknownCursor", "key_digest"]


class Store(BatchRequests, Blobs, UsageLedger):
    """Documents, batch requests, blobs and usage over one connection (see the modules for each)."""

    def __init__(self, database: str, blob_dir: Path, seed: int = 0, *, owns_blob_dir: bool = False) -> None:
        self.blob_dir = blob_dir
        self._owns_blob_dir = owns_blob_dir
        self._open_objects(seed)
        self._open_usage()
        blob_dir.mkdir(parents=True, exist_ok=True)
        self._db = self._connect(database)
        self._create_schema()
        self._lease = BlobDirLease(blob_dir)
        if self._lease.alone and not owns_blob_dir:  # a fresh temporary folder has nothing left over
            remove_leftovers(blob_dir, self._referenced_blobs())
        self._lease.share()

    def _connect(self, database: str) -> Any:
        db = sqlite3.connect(database, isolation_level=None, check_same_thread=False, timeout=30)
        db.execute("PRAGMA busy_timeout = 30000")
        if database != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # durable across a killed process
        return db

    @classmethod
    def open(cls, config: Config) -> Store:
        if config.data_dir is None:
            blobs = Path(tempfile.mkdtemp(prefix="mockserver-blobs-"))
            return cls(":memory:", blobs, config.seed, owns_blob_dir=True)
        root = Path(config.data_dir)
        root.mkdir(parents=True, exist_ok=True)
        return cls(str(root / "mock.sqlite3"), root / "files", config.seed)

    def close(self) -> None:
        with self._lock:
            self.flush_usage()
            self._db.close()
        self._lease.release()
        if self._owns_blob_dir:
            shutil.rmtree(self.blob_dir, ignore_errors=True)

    def _create_schema(self) -> None:
        with self.transaction():
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            if self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage'").fetchone():
                self._db.execute(MIGRATE_USAGE)  # a database written before usage was kept per minute
                self._db.execute("DROP TABLE usage")

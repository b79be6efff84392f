"""The object store on PostgreSQL: store/'s Store, with its connection, schema, document
filters and blobs moved into the database (replicas on other machines must read the same bytes)."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Iterator

from ..db import StoreUnavailable
from ..store import SCHEMA as STORE_SCHEMA
from ..store import BlobWriter, Store
from .connection import PgConnection, log, postgres_schema

NAMESPACE = "mock_store"
LOCK_KEY = 1
_BLOB_CHUNK = 1 << 20

# store/schema.py's schema, plus the bytes of uploads (replicas on other machines must read them too).
SCHEMA = (postgres_schema(STORE_SCHEMA)
          + "CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, data BYTEA NOT NULL);")


class PgStore(Store):
    _FIELD = "(convert_from(doc, 'UTF8')::jsonb ->> '{field}')"
    _BUCKET = "FLOOR((minute - ?) / ?)::INTEGER"
    _SUM = "SUM({column})::BIGINT"  # a sum of BIGINT is NUMERIC (a Decimal) otherwise

    def __init__(self, url: str, seed: int = 0) -> None:
        staging = Path(tempfile.mkdtemp(prefix="mockserver-blobs-"))  # uploads land here before the database
        self._usage_waiting = False
        super().__init__(url, staging, seed, owns_blob_dir=True)

    def _connect(self, database: str) -> PgConnection:
        return PgConnection(database, NAMESPACE, LOCK_KEY, SCHEMA)

    def _create_schema(self) -> None:
        """Created by PgConnection before the first transaction."""

    def once(self, name: str, action: Callable[[], None]) -> bool:
        """As Store's; at a start without the database, done at the first contact with it instead."""
        try:
            return super().once(name, action)
        except StoreUnavailable:
            if self._db.ready:
                raise
            self._db.after_ready.append(lambda: super(PgStore, self).once(name, action))
            return False

    @staticmethod
    def _value(value: Any) -> Any:
        """Fields are compared as text (`->>`): JSON's spelling of booleans and numbers."""
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if value is None or isinstance(value, str) else str(value)

    def flush_usage(self) -> None:
        """As Store's, but sums that could not be written stay buffered for the next flush."""
        buffered = dict(self._usage)
        try:
            super().flush_usage()
        except StoreUnavailable:
            for key, sums in buffered.items():
                current = self._usage.get(key)
                self._usage[key] = sums if current is None else [a + b for a, b in zip(sums, current)]
            if not self._usage_waiting:  # once per outage, not at every flush
                log.warning("mockserver: usage not yet written (database unreachable); kept for the next flush")
            self._usage_waiting = True
            return
        self._usage_waiting = False

    # -- blobs: staged in a local file, then stored in the database -----------------------------------

    @contextmanager
    def new_blob(self) -> Iterator[BlobWriter]:
        with super().new_blob() as writer:
            yield writer
        path = self.blob_path(writer.name)
        try:
            with self.transaction():
                self._db.execute("INSERT INTO blobs (name, data) VALUES (?, ?)", (writer.name, path.read_bytes()))
        finally:
            path.unlink(missing_ok=True)

    async def blob_chunks(self, name: str) -> AsyncIterator[bytes]:
        offset = 1  # SQL counts bytes from 1
        while True:
            with self._lock:
                row = self._db.execute("SELECT substring(data FROM ? FOR ?) FROM blobs WHERE name = ?",
                                       (offset, _BLOB_CHUNK, name)).fetchone()
            if not row or not row[0]:
                return
            offset += len(row[0])
            yield bytes(row[0])

    def delete_blob(self, name: str) -> None:
        with self.transaction():
            self._db.execute("DELETE FROM blobs WHERE name = ?", (name,))

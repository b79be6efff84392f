"""The mock's state: embedded SQLite plus uploaded bytes on disk.

In memory by default; with `Config.data_dir`, the file `<data_dir>/mock.sqlite3` (WAL, so several
worker processes can share it) and the blobs in `<data_dir>/files/`. Objects of every family live in
one `objects` table as JSON documents; ids come from per-kind counters kept in the database, so two
workers never hand out the same id and the same seed replays the same ids.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import random
import shutil
import sqlite3
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, AsyncIterator, Callable, Iterator, Mapping, Sequence

import orjson

from .ids import new_id
from .leftovers import BlobDirLease, remove_leftovers

if TYPE_CHECKING:
    from .config import Config

Filters = Mapping[str, Sequence[Any]]  # document field -> accepted values (None matches JSON null)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    parent TEXT NOT NULL DEFAULT '',
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    UNIQUE (kind, parent, id)
);
CREATE INDEX IF NOT EXISTS objects_by_kind ON objects (kind, parent, seq);
CREATE TABLE IF NOT EXISTS batch_requests (
    batch_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    custom_id TEXT NOT NULL,
    params TEXT NOT NULL,
    outcome TEXT,
    line BLOB,
    PRIMARY KEY (batch_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS api_key_digests (digest TEXT PRIMARY KEY, api_key_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS usage_minutes (
    minute INTEGER NOT NULL, -- epoch seconds of the minute's start: usage is kept summed per minute
    dims TEXT NOT NULL, -- the dimension columns as one JSON array: a key over NULLable columns never conflicts
    api_key_id TEXT,
    workspace_id TEXT,
    model TEXT NOT NULL,
    service_tier TEXT NOT NULL,
    context_window TEXT NOT NULL,
    inference_geo TEXT,
    speed TEXT,
    uncached_input_tokens INTEGER NOT NULL,
    cache_read_input_tokens INTEGER NOT NULL,
    cache_creation_5m_input_tokens INTEGER NOT NULL,
    cache_creation_1h_input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    web_search_requests INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (minute, dims)
) WITHOUT ROWID;
"""

USAGE_DIMENSIONS = ("api_key_id", "workspace_id", "model", "service_tier", "context_window",
                    "inference_geo", "speed")
USAGE_MEASURES = ("uncached_input_tokens", "cache_read_input_tokens", "cache_creation_5m_input_tokens",
                  "cache_creation_1h_input_tokens", "output_tokens", "web_search_requests")

_BLOB_CHUNK = 1 << 16
_TOMBSTONE = "~"
_USAGE_BATCH = 256
_USAGE_DELAY = 0.5
_MINUTE = 60
_ADD_USAGE = (
    f"INSERT INTO usage_minutes (minute, dims, {', '.join(USAGE_DIMENSIONS)}, {', '.join(USAGE_MEASURES)}, requests)"
    f" VALUES ({', '.join('?' * (3 + len(USAGE_DIMENSIONS) + len(USAGE_MEASURES)))})"
    " ON CONFLICT (minute, dims) DO UPDATE SET "
    + ", ".join(f"{m} = {m} + excluded.{m}" for m in (*USAGE_MEASURES, "requests"))
)
_MIGRATE_USAGE = (
    f"INSERT INTO usage_minutes SELECT CAST(at / {_MINUTE} AS INTEGER) * {_MINUTE} AS minute,"
    f" json_array({', '.join(USAGE_DIMENSIONS)}) AS dims, {', '.join(USAGE_DIMENSIONS)},"
    f" {', '.join(f'SUM({m})' for m in USAGE_MEASURES)}, COUNT(*) FROM usage GROUP BY minute, dims"
)


@dataclass(slots=True)
class Page:
    items: list[dict[str, Any]]
    has_more: bool
    first_seq: int | None
    last_seq: int | None


class UnknownCursor(LookupError):
    """A before_id/after_id that names no object of the listed kind."""


@dataclass(slots=True)
class BlobWriter:
    name: str
    file: IO[bytes]
    size: int = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)


class Store:
    """One connection per process; every write is a short BEGIN IMMEDIATE transaction."""

    def __init__(self, database: str, blob_dir: Path, seed: int = 0, *, owns_blob_dir: bool = False) -> None:
        self.blob_dir = blob_dir
        self._seed = seed
        self._owns_blob_dir = owns_blob_dir
        self._lock = threading.RLock()
        self._depth = 0
        self._keys: dict[str, tuple[str, str | None]] = {}
        self._usage: dict[tuple[Any, ...], list[int]] = {}  # (minute, *dimensions) -> measures + requests
        self._usage_calls = 0
        blob_dir.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(database, isolation_level=None, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA busy_timeout = 30000")
        if database != ":memory:":
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")  # durable across a killed process
        with self.transaction():
            self._create_schema()
        self._lease = BlobDirLease(blob_dir)
        if self._lease.alone and not owns_blob_dir:  # a fresh temporary folder has nothing left over
            remove_leftovers(blob_dir, self._referenced_blobs())
        self._lease.share()

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
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                self._db.execute(statement)
        if self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'usage'").fetchone():
            self._db.execute(_MIGRATE_USAGE)  # a database written before usage was kept per minute
            self._db.execute("DROP TABLE usage")

    # -- transactions ---------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction (BEGIN IMMEDIATE); nested uses join the outer one.

        Never await inside one: the lock is per thread, so another coroutine would join it.
        """
        with self._lock:
            outer = self._depth == 0
            if outer:
                self._db.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outer:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self._db.execute("COMMIT")

    def once(self, name: str, action: Callable[[], None]) -> bool:
        """Run `action` in a transaction unless some process already ran it against this database."""
        with self.transaction():
            if self._db.execute("SELECT 1 FROM counters WHERE name = ?", (f"once:{name}",)).fetchone():
                return False
            action()
            self._db.execute("INSERT INTO counters (name, value) VALUES (?, 1)", (f"once:{name}",))
            return True

    def new_id(self, kind: str, prefix: str) -> str:
        with self.transaction():
            (number,) = self._db.execute(
                "INSERT INTO counters (name, value) VALUES (?, 1) "
                "ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value", (f"id:{kind}",)
            ).fetchone()
        return new_id(prefix, random.Random(f"{self._seed}:{kind}:{number}"))

    # -- objects ----------------------------------------------------------------------------------

    def insert(self, kind: str, doc: dict[str, Any], *, prefix: str | None = None, parent: str = "") -> dict[str, Any]:
        """Store a new document; with `prefix`, a fresh id is drawn and set as `doc["id"]`."""
        with self.transaction():
            if prefix is not None:
                doc = {"id": self.new_id(kind, prefix), **doc}
            self._db.execute("INSERT INTO objects (kind, parent, id, doc) VALUES (?, ?, ?, ?)",
                             (kind, parent, doc["id"], orjson.dumps(doc)))
        return doc

    def get(self, kind: str, object_id: str, parent: str = "") -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute("SELECT doc FROM objects WHERE kind = ? AND parent = ? AND id = ?",
                                   (kind, parent, object_id)).fetchone()
        return orjson.loads(row[0]) if row else None

    def update(self, kind: str, object_id: str, change: Callable[[dict[str, Any]], Any],
               parent: str = "") -> dict[str, Any] | None:
        """Apply `change` to the stored document atomically; None when there is no such object."""
        with self.transaction():
            doc = self.get(kind, object_id, parent)
            if doc is None:
                return None
            change(doc)
            self._db.execute("UPDATE objects SET doc = ? WHERE kind = ? AND parent = ? AND id = ?",
                             (orjson.dumps(doc), kind, parent, object_id))
        return doc

    def delete(self, kind: str, object_id: str, parent: str = "") -> bool:
        """Remove an object, keeping a tombstone so that lists can still page from its id."""
        tombstone = _TOMBSTONE + kind
        with self.transaction():
            self._db.execute("DELETE FROM objects WHERE kind = ? AND parent = ? AND id = ?",
                             (tombstone, parent, object_id))
            cursor = self._db.execute("UPDATE objects SET kind = ?, doc = 'null' WHERE kind = ? AND parent = ? AND id = ?",
                                      (tombstone, kind, parent, object_id))
        return cursor.rowcount > 0

    def count(self, kind: str, parent: str = "", where: Filters | None = None) -> int:
        clause, args = _filters(where)
        with self._lock:
            (number,) = self._db.execute(f"SELECT COUNT(*) FROM objects WHERE kind = ? AND parent = ?{clause}",
                                         (kind, parent, *args)).fetchone()
        return number

    def all(self, kind: str, parent: str = "", where: Filters | None = None) -> list[dict[str, Any]]:
        """Every matching document, oldest first."""
        clause, args = _filters(where)
        with self._lock:
            rows = self._db.execute(f"SELECT doc FROM objects WHERE kind = ? AND parent = ?{clause} ORDER BY seq",
                                    (kind, parent, *args)).fetchall()
        return [orjson.loads(doc) for (doc,) in rows]

    def page(self, kind: str, *, parent: str = "", limit: int = 20, after_id: str | None = None,
             before_id: str | None = None, after_seq: int | None = None, where: Filters | None = None) -> Page:
        """One page, newest first. `after_*` continues the list, `before_id` goes back towards its start."""
        clause, args = _filters(where)
        with self._lock:
            if after_id is not None:
                after_seq = self._seq(kind, parent, after_id)
            before_seq = self._seq(kind, parent, before_id) if before_id is not None else None
            backwards = before_seq is not None and after_seq is None
            cursor = before_seq if backwards else after_seq
            beyond, order = (">", "ASC") if backwards else ("<", "DESC")
            bound = f" AND seq {beyond} ?" if cursor is not None else ""
            rows = self._db.execute(
                f"SELECT seq, doc FROM objects WHERE kind = ? AND parent = ?{clause}{bound} ORDER BY seq {order} LIMIT ?",
                (kind, parent, *args, *((cursor,) if cursor is not None else ()), limit + 1),
            ).fetchall()
        has_more = len(rows) > limit
        rows = rows[:limit]
        if backwards:
            rows.reverse()
        return Page([orjson.loads(doc) for _, doc in rows], has_more,
                    rows[0][0] if rows else None, rows[-1][0] if rows else None)

    def _seq(self, kind: str, parent: str, object_id: str) -> int:
        row = self._db.execute("SELECT seq FROM objects WHERE kind IN (?, ?) AND parent = ? AND id = ?",
                               (kind, _TOMBSTONE + kind, parent, object_id)).fetchone()
        if row is None:
            raise UnknownCursor(object_id)
        return row[0]

    # -- message batches ---------------------------------------------------------------------------

    def create_batch(self, doc: dict[str, Any], requests: Sequence[tuple[str, Any]]) -> dict[str, Any]:
        """A new batch and its requests (custom_id, params), in one transaction."""
        with self.transaction():
            doc = self.insert("batch", doc, prefix="msgbatch_")
            self._db.executemany(
                "INSERT INTO batch_requests (batch_id, idx, custom_id, params) VALUES (?, ?, ?, ?)",
                ((doc["id"], idx, custom_id, orjson.dumps(params)) for idx, (custom_id, params) in enumerate(requests)),
            )
        return doc

    def get_batch(self, batch_id: str) -> dict[str, Any] | None:
        return self.get("batch", batch_id)

    def pending_batch_requests(self, batch_id: str, limit: int) -> list[tuple[int, str, Any]]:
        """Requests that have no outcome yet, in creation order: (idx, custom_id, params)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT idx, custom_id, params FROM batch_requests WHERE batch_id = ? AND outcome IS NULL "
                "ORDER BY idx LIMIT ?", (batch_id, limit)).fetchall()
        return [(idx, custom_id, orjson.loads(params)) for idx, custom_id, params in rows]

    def save_batch_outcomes(self, batch_id: str, outcomes: Sequence[tuple[int, str, bytes]]) -> list[int]:
        """Record (idx, outcome, result line) for requests still open; returns the idx actually written."""
        written = []
        with self.transaction():
            for idx, outcome, line in outcomes:
                cursor = self._db.execute(
                    "UPDATE batch_requests SET outcome = ?, line = ? WHERE batch_id = ? AND idx = ? AND outcome IS NULL",
                    (outcome, line, batch_id, idx))
                if cursor.rowcount:
                    written.append(idx)
        return written

    def batch_outcome_counts(self, batch_id: str) -> dict[str | None, int]:
        with self._lock:
            rows = self._db.execute("SELECT outcome, COUNT(*) FROM batch_requests WHERE batch_id = ? GROUP BY outcome",
                                    (batch_id,)).fetchall()
        return dict(rows)

    def batch_result_lines(self, batch_id: str, after_idx: int, limit: int) -> list[tuple[int, bytes]]:
        with self._lock:
            return self._db.execute(
                "SELECT idx, line FROM batch_requests WHERE batch_id = ? AND idx > ? ORDER BY idx LIMIT ?",
                (batch_id, after_idx, limit)).fetchall()

    def delete_batch(self, batch_id: str) -> bool:
        with self.transaction():
            self._db.execute("DELETE FROM batch_requests WHERE batch_id = ?", (batch_id,))
            return self.delete("batch", batch_id)

    # -- blobs ------------------------------------------------------------------------------------

    @contextmanager
    def new_blob(self) -> Iterator[BlobWriter]:
        """Write bytes to a new blob: a temp file, fsynced and renamed into place on success."""
        name = uuid.uuid4().hex
        partial = self.blob_dir / f".{name}.part"
        handle = open(partial, "wb")
        writer = BlobWriter(name, handle)
        try:
            yield writer
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            os.replace(partial, self.blob_dir / name)
            _fsync_directory(self.blob_dir)
        except BaseException:
            handle.close()
            partial.unlink(missing_ok=True)
            raise

    def _referenced_blobs(self) -> list[str]:
        rows = self._db.execute("SELECT json_extract(doc, '$.blob') FROM objects "
                                "WHERE json_type(doc, '$.blob') = 'text'")
        return [row[0] for row in rows]

    def blob_path(self, name: str) -> Path:
        return self.blob_dir / name

    async def blob_chunks(self, name: str) -> AsyncIterator[bytes]:
        with open(self.blob_path(name), "rb") as handle:
            while chunk := handle.read(_BLOB_CHUNK):
                yield chunk

    def delete_blob(self, name: str) -> None:
        self.blob_path(name).unlink(missing_ok=True)

    # -- files ------------------------------------------------------------------------------------

    def create_file(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self.insert("file", doc, prefix="file_")

    def get_file(self, file_id: str) -> dict[str, Any] | None:
        """The file's metadata record, plus `path`: where its bytes are on disk."""
        doc = self.get("file", file_id)
        if doc is not None:
            doc["path"] = str(self.blob_path(doc["blob"]))
        return doc

    def delete_file(self, file_id: str) -> bool:
        doc = self.get("file", file_id)
        if doc is None or not self.delete("file", file_id):
            return False
        self.delete_blob(doc["blob"])
        return True

    # -- skills -----------------------------------------------------------------------------------

    def find_skill_version(self, skill_id: str, version: str) -> dict[str, Any] | None:
        """A skill's version by its epoch-microseconds `version` string."""
        found = self.all("skill_version", parent=skill_id, where={"version": [version]})
        return found[0] if found else None

    # -- usage ------------------------------------------------------------------------------------

    def api_key_id(self, raw_key: str, now: float) -> tuple[str, str | None]:
        """(`apikey_...` id, workspace id) of a raw key; a key seen for the first time gets a record."""
        digest = key_digest(raw_key)
        known = self._keys.get(digest)
        if known is not None:
            return known
        with self.transaction():
            row = self._db.execute("SELECT api_key_id FROM api_key_digests WHERE digest = ?", (digest,)).fetchone()
            if row is None:
                key_id = self.insert("api_key", _traffic_key(raw_key, now), prefix="apikey_")["id"]
                self.link_api_key(raw_key, key_id)
            else:
                key_id = row[0]
            doc = self.get("api_key", key_id) or {}
        self._keys[digest] = (key_id, doc.get("workspace_id"))
        return self._keys[digest]

    def link_api_key(self, raw_key: str, api_key_id: str) -> None:
        """Make traffic sent with `raw_key` count for the API key record `api_key_id`."""
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO api_key_digests (digest, api_key_id) VALUES (?, ?)",
                             (key_digest(raw_key), api_key_id))
        self._keys.pop(key_digest(raw_key), None)

    def record_usage(self, *, model: str, usage: Mapping[str, Any], at: float | None = None,
                     api_key: str | None = None, api_key_id: str | None = None, workspace_id: str | None = None,
                     service_tier: str | None = None, call: Any = None) -> None:
        """Count one served Messages call in the usage and cost reports.

        `usage` is the Message's `usage` object. The raw `api_key` maps to a stable `apikey_...` id
        (created on first sight), or pass its `api_key_id` directly; the workspace is `workspace_id`,
        else the key's own. Passing the handler's `call` fills `at`, `api_key` and the
        `anthropic-workspace-id` header for you.
        """
        if call is not None:
            at = call.received_at if at is None else at
            api_key = call.api_key if api_key is None else api_key
            workspace_id = workspace_id or call.headers.get("anthropic-workspace-id")
        at = time.time() if at is None else at
        key_id, key_workspace = self.api_key_id(api_key, at) if api_key else (api_key_id, None)
        tier, window, geo, speed, *measures = usage_row(usage, service_tier)
        key = (int(at // _MINUTE) * _MINUTE, key_id, workspace_id or key_workspace, model, tier, window, geo, speed)
        with self._lock:
            sums = self._usage.get(key)
            if sums is None:
                self._usage[key] = [*measures, 1]
            else:
                self._usage[key] = [total + value for total, value in zip(sums, (*measures, 1))]
            self._usage_calls += 1
            if self._usage_calls >= _USAGE_BATCH:
                self.flush_usage()
            elif self._usage_calls == 1:
                self._flush_soon()

    def flush_usage(self) -> None:
        """Add the buffered per-minute sums to the table (they are buffered to keep Messages calls cheap)."""
        if not self._usage:
            return
        with self.transaction():
            buffered, self._usage, self._usage_calls = self._usage, {}, 0
            self._db.executemany(_ADD_USAGE, [(minute, orjson.dumps(dims).decode(), *dims, *sums)
                                              for (minute, *dims), sums in buffered.items()])

    def _flush_soon(self) -> None:
        """Within a second, so that other workers' reports see this worker's traffic."""
        try:
            asyncio.get_running_loop().call_later(_USAGE_DELAY, self.flush_usage)
        except RuntimeError:  # not on an event loop: nothing would flush later
            self.flush_usage()

    def usage_totals(self, *, start: float, end: float, width: float, group_by: Sequence[str] = (),
                     where: Mapping[str, Sequence[str | None]] | None = None) -> list[dict[str, Any]]:
        """Token sums per time bucket (`bucket` = index from `start`) and per `group_by` dimension.

        `start`, `end` and `width` are whole minutes: usage is kept per minute.
        """
        dimensions = [d for d in group_by if d in USAGE_DIMENSIONS]
        clauses, args = ["minute >= ?", "minute < ?"], [start, end]
        for column, values in (where or {}).items():
            if column not in USAGE_DIMENSIONS:
                raise ValueError(f"unknown usage dimension {column!r}")
            clause, present = _matches_any(column, values)
            clauses.append(clause)
            args += present
        self.flush_usage()
        keys = ["CAST((minute - ?) / ? AS INTEGER) AS bucket", *dimensions]
        sums = [f"SUM({m}) AS {m}" for m in (*USAGE_MEASURES, "requests")]
        sql = (f"SELECT {', '.join(keys + sums)} FROM usage_minutes WHERE {' AND '.join(clauses)}"
               f" GROUP BY {', '.join(['bucket', *dimensions])} ORDER BY {', '.join(['bucket', *dimensions])}")
        with self._lock:
            cursor = self._db.execute(sql, (start, width, *args))
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]


def usage_row(usage: Mapping[str, Any], service_tier: str | None = None) -> tuple[Any, ...]:
    """The usage table's columns after `model`, from a Message's `usage` object."""
    creation = usage.get("cache_creation") or {}
    if creation:
        five, hour = _number(creation.get("ephemeral_5m_input_tokens")), _number(creation.get("ephemeral_1h_input_tokens"))
    else:
        five, hour = _number(usage.get("cache_creation_input_tokens")), 0
    uncached, cached = _number(usage.get("input_tokens")), _number(usage.get("cache_read_input_tokens"))
    window = "200k-1M" if uncached + cached + five + hour > 200_000 else "0-200k"
    tools = usage.get("server_tool_use")
    searches = _number(tools.get("web_search_requests")) if tools else 0
    return (service_tier or usage.get("service_tier") or "standard", window, usage.get("inference_geo"),
            usage.get("speed"), uncached, cached, five, hour, _number(usage.get("output_tokens")), searches)


def _number(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _traffic_key(raw_key: str, now: float) -> dict[str, Any]:
    hint = partial_hint(raw_key)
    return {"name": f"Key {hint}", "created_at": now, "partial_key_hint": hint, "status": "active",
            "workspace_id": None, "created_by": None, "principal": None, "expires_at": None}


def partial_hint(raw_key: str) -> str:
    """`sk-ant-api03-R2D...igAA`: enough of a key to recognise it, not enough to use it."""
    shown = min(16, len(raw_key) // 2)
    return f"{raw_key[:shown]}...{raw_key[-4:]}" if len(raw_key) >= 12 else f"{raw_key[:4]}..."


@functools.lru_cache(maxsize=1024)  # every Messages call records usage under its key
def key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _filters(where: Filters | None) -> tuple[str, list[Any]]:
    if not where:
        return "", []
    parts, args = [], []
    for field, values in where.items():
        clause, present = _matches_any(f"json_extract(doc, '$.{field}')", values)
        parts.append(clause)
        args += present
    return "".join(f" AND {part}" for part in parts), args


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _matches_any(expression: str, values: list[Any]) -> tuple[str, list[Any]]:
    """SQL that holds when `expression` equals one of `values` (None matching NULL), and its arguments."""
    present = [v for v in values if v is not None]
    options = [f"{expression} IN ({', '.join('?' * len(present))})"] if present else []
    if len(present) != len(values):
        options.append(f"{expression} IS NULL")
    return f"({' OR '.join(options) or '0'})", present

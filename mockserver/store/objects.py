"""JSON documents of every family in one table: transactions, ids, reads, writes and pages."""

from __future__ import annotations

import random
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Sequence

import orjson

from ..ids import new_id
from .schema import matches_any

Filters = Mapping[str, Sequence[Any]]  # document field -> accepted values (None matches JSON null)

_TOMBSTONE = "~"


@dataclass(slots=True)
class Page:
    items: list[dict[str, Any]]
    has_more: bool
    first_seq: int | None
    last_seq: int | None


class UnknownCursor(LookupError):
    """A before_id/after_id that names no object of the listed kind."""


class Objects:
    """One connection per process; every write is a short BEGIN IMMEDIATE transaction.

    The SQL is the subset SQLite and PostgreSQL share; mockserver/pg/store.py swaps the connection,
    the schema and the few expressions below that differ.
    """

    _FIELD = "json_extract(doc, '$.{field}')"  # a document field, for filters
    _db: Any
    _seed: int

    def _open_objects(self, seed: int) -> None:
        self._seed = seed
        self._lock = threading.RLock()
        self._depth = 0

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
                "ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value", (f"id:{kind}",)
            ).fetchone()
        return new_id(prefix, random.Random(f"{self._seed}:{kind}:{number}"))

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
        clause, args = self._filters(where)
        with self._lock:
            (number,) = self._db.execute(f"SELECT COUNT(*) FROM objects WHERE kind = ? AND parent = ?{clause}",
                                         (kind, parent, *args)).fetchone()
        return number

    def all(self, kind: str, parent: str = "", where: Filters | None = None) -> list[dict[str, Any]]:
        """Every matching document, oldest first."""
        clause, args = self._filters(where)
        with self._lock:
            rows = self._db.execute(f"SELECT doc FROM objects WHERE kind = ? AND parent = ?{clause} ORDER BY seq",
                                    (kind, parent, *args)).fetchall()
        return [orjson.loads(doc) for (doc,) in rows]

    def page(self, kind: str, *, parent: str = "", limit: int = 20, after_id: str | None = None,
             before_id: str | None = None, after_seq: int | None = None, where: Filters | None = None) -> Page:
        """One page, newest first. `after_*` continues the list, `before_id` goes back towards its start."""
        clause, args = self._filters(where)
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

    def _filters(self, where: Filters | None) -> tuple[str, list[Any]]:
        if not where:
            return "", []
        parts, args = [], []
        for field, values in where.items():
            clause, present = matches_any(self._FIELD.format(field=field), [self._value(v) for v in values])
            parts.append(clause)
            args += present
        return "".join(f" AND {part}" for part in parts), args

    @staticmethod
    def _value(value: Any) -> Any:
        """A filter value as the database compares it with a document field."""
        return value

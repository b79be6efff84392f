"""Shared scenario state in SQLite: runtime rules, per-session counters and scenario states.

One database per server: in memory for a single worker, a WAL file under the data dir when
several workers share it. Each worker keeps parsed rules and flags in memory. Every change to
them bumps a generation number in the database and, once committed, publishes it to a change
counter in shared memory (changes.py): a worker reads that counter per request and goes to the
database only when it moved. Counters and scenario states need no such signal: they are read
from the database, in a transaction, whenever a stateful rule matches.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any, Iterator

import orjson

from ..db import connect
from .changes import ChangeCounter

DB_NAME = "scenarios.db"
STARTED = "Started"

SCHEMA = """
CREATE TABLE IF NOT EXISTS rules (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    session TEXT NOT NULL,
    id TEXT NOT NULL,
    spec BLOB NOT NULL,
    UNIQUE (session, id)
);
CREATE TABLE IF NOT EXISTS counters (
    session TEXT NOT NULL, rule TEXT NOT NULL, seen INTEGER NOT NULL, served INTEGER NOT NULL,
    PRIMARY KEY (session, rule)
);
CREATE TABLE IF NOT EXISTS scenarios (
    session TEXT NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (session, name)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class SharedState:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._open(connect(path), ChangeCounter(path.with_suffix(".changes") if path else None), SCHEMA)

    def _open(self, db: Any, changes: Any, schema: str) -> None:
        """`db` runs this module's SQL; `changes` counts committed changes (read, publish, close)."""
        self._db = db
        self._lock = threading.RLock()  # the in-process server's thread and test threads may share it
        for statement in filter(str.strip, schema.split(";")):
            self._db.execute(statement)
        self._changes = changes
        self._seen = self._changes.read()
        self._committing: int | None = None  # the generation to publish after this transaction

    def close(self) -> None:
        self._changes.close()
        self._db.close()

    # -- change detection --------------------------------------------------------------------

    def changed(self) -> bool:
        """True when a worker (this one included) changed rules or flags since the last call."""
        published = self._changes.read()
        if published == self._seen:
            return False
        self._seen = published  # read before the caller reads the database: a later change moves it again
        return True

    def unsee(self) -> None:
        """Make the next `changed()` true: the reload it asked for did not happen."""
        self._seen = -1

    def generation(self) -> int:
        return self.flag("generation")

    def _bump(self) -> None:
        self._committing = self._db.execute("INSERT INTO meta VALUES ('generation', 1) ON CONFLICT(key) "
                                            "DO UPDATE SET value = meta.value + 1 RETURNING value").fetchone()[0]

    def flag(self, name: str, default: int = 0) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (name,)).fetchone()
        return row[0] if row else default

    def set_flag(self, name: str, value: int) -> None:
        with self.transaction():
            self._db.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                             (name, value))
            self._bump()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One writer at a time, across threads and worker processes."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._committing = None
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            if self._committing is not None:  # only now: a worker that sees it must find the change
                self._changes.publish(self._committing)
                self._committing = None

    # -- runtime rules -----------------------------------------------------------------------

    def runtime_rules(self) -> list[tuple[int, str, str, dict[str, Any]]]:
        with self._lock:
            rows = self._db.execute("SELECT seq, session, id, spec FROM rules ORDER BY seq").fetchall()
        return [(seq, session, rule_id, orjson.loads(spec)) for seq, session, rule_id, spec in rows]

    def put_rules(self, session: str, specs: list[dict[str, Any]]) -> list[tuple[int, str]]:
        """Store rules (replacing any with the same id in the session); (seq, id) of each."""
        stored = []
        with self.transaction():
            for spec in specs:
                rule_id = spec.get("id")
                if rule_id:
                    self._db.execute("DELETE FROM rules WHERE session = ? AND id = ?", (session, rule_id))
                    self._db.execute("DELETE FROM counters WHERE session = ? AND rule = ?", (session, rule_id))
                seq = self._db.execute("INSERT INTO rules (session, id, spec) VALUES (?, ?, ?) RETURNING seq",
                                       (session, rule_id or "", orjson.dumps(spec))).fetchone()[0]
                if not rule_id:
                    rule_id = f"rule-{seq}"
                    self._db.execute("UPDATE rules SET id = ? WHERE seq = ?", (rule_id, seq))
                stored.append((seq, rule_id))
            self._bump()
        return stored

    def delete_rule(self, session: str, rule_id: str) -> bool:
        with self.transaction():
            deleted = self._db.execute("DELETE FROM rules WHERE session = ? AND id = ?", (session, rule_id)).rowcount
            self._bump()
        return deleted > 0

    def clear_rules(self, session: str | None) -> int:
        with self.transaction():
            if session is None:
                deleted = self._db.execute("DELETE FROM rules").rowcount
            else:
                deleted = self._db.execute("DELETE FROM rules WHERE session = ?", (session,)).rowcount
            self._bump()
        return deleted

    # -- counters and scenario states (call inside `transaction()`) ---------------------------

    def counter(self, session: str, rule_id: str) -> tuple[int, int]:
        row = self._db.execute("SELECT seen, served FROM counters WHERE session = ? AND rule = ?",
                               (session, rule_id)).fetchone()
        return (row[0], row[1]) if row else (0, 0)

    def save_counter(self, session: str, rule_id: str, seen: int, served: int) -> None:
        self._db.execute("INSERT INTO counters VALUES (?, ?, ?, ?) ON CONFLICT(session, rule) "
                         "DO UPDATE SET seen = excluded.seen, served = excluded.served",
                         (session, rule_id, seen, served))

    async def advance_counter(self, session: str, rule_id: str, nth: frozenset[int],
                              answers: int | None) -> tuple[int, bool]:
        """Count a match of a counting rule, in one transaction of its own: (how often it answered
        before, whether it answers now: `nth` empty or holding this match's number, and fewer than
        `answers` answers so far). Async for PostgreSQL's sake: SQLite answers at once."""
        with self.transaction():
            seen, served = self.counter(session, rule_id)
            seen += 1
            answers_now = (not nth or seen in nth) and (answers is None or served < answers)
            self.save_counter(session, rule_id, seen, served + answers_now)
        return served, answers_now

    def scenario(self, session: str, name: str) -> str:
        row = self._db.execute("SELECT state FROM scenarios WHERE session = ? AND name = ?",
                               (session, name)).fetchone()
        return row[0] if row else STARTED

    def move_scenario(self, session: str, name: str, state: str) -> None:
        self._db.execute("INSERT INTO scenarios VALUES (?, ?, ?) ON CONFLICT(session, name) "
                         "DO UPDATE SET state = excluded.state", (session, name, state))

    def set_scenario(self, session: str, name: str, state: str) -> None:
        with self.transaction():
            self.move_scenario(session, name, state)

    def scenarios(self, session: str | None) -> list[dict[str, str]]:
        with self._lock:
            if session is None:
                rows = self._db.execute("SELECT session, name, state FROM scenarios ORDER BY session, name").fetchall()
            else:
                rows = self._db.execute("SELECT session, name, state FROM scenarios WHERE session = ? ORDER BY name",
                                        (session,)).fetchall()
        return [{"session": s, "name": n, "state": st} for s, n, st in rows]

    def counters(self, session: str | None) -> list[dict[str, Any]]:
        """How often each stateful rule matched (`seen`) and answered (`served`), per session."""
        query, args = "SELECT session, rule, seen, served FROM counters", ()
        if session is not None:
            query, args = query + " WHERE session = ?", (session,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY session, rule", args).fetchall()
        return [{"session": s, "rule": r, "seen": seen, "served": served} for s, r, seen, served in rows]

    def reset_state(self, session: str | None) -> None:
        with self.transaction():
            for table in ("counters", "scenarios"):
                if session is None:
                    self._db.execute(f"DELETE FROM {table}")
                else:
                    self._db.execute(f"DELETE FROM {table} WHERE session = ?", (session,))

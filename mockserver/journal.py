"""The request journal: what API requests came in, and how the mock answered.

Entries never hold secrets: `x-api-key`, `authorization` (and the other SECRET_HEADERS) are kept
as a short fingerprint, the same for the same key, so tests can tell keys apart. Request bodies
are kept up to `--journal-body-bytes`; a larger one is kept as that many bytes of its text and
flagged `body_truncated`.

Recording is off until something asks for it (`--journal`, a rules file, or any control-API
call other than health), so a plain mock pays nothing for it. A single worker keeps entries
in a bounded in-memory deque. Several workers share a SQLite file: each worker buffers entries
and writes them in one transaction at most every FLUSH_SECONDS; a journal read first waits that
long, so it sees every request answered before the read began.
"""

from __future__ import annotations

import asyncio
import collections
import hashlib
import itertools
import threading
from pathlib import Path
from typing import Any, Callable, Iterable

import orjson


from .recording.redaction import SECRET_HEADERS  # the same secrets a cassette never holds
from .db import Entry, connect
from .http.json_body import dumps

DB_NAME = "journal.db"
FLUSH_SECONDS = 0.005

FINGERPRINT_PREFIX = "redacted:"

Filter = Callable[[Entry], bool]


def fingerprint(secret: str) -> str:
    """`redacted:` and 8 hex digits of the secret's SHA-256: tells keys apart, reveals nothing."""
    return FINGERPRINT_PREFIX + hashlib.sha256(secret.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """A copy with secret values replaced by their fingerprint (`Bearer redacted:...` keeps its scheme)."""
    kept = dict(headers)
    for name in SECRET_HEADERS.intersection(kept):
        scheme, space, token = kept[name].strip().partition(" ")
        if space and scheme.isalpha() and token.strip():
            kept[name] = f"{scheme} {fingerprint(token.strip())}"
        else:
            kept[name] = fingerprint(kept[name].strip())
    return kept


def redact_expected(match: Any) -> Any:
    """A verify `match` whose exact secret-header values are fingerprinted the way entries are,
    so `{"headers": {"x-api-key": KEY}}` still finds the requests sent with KEY."""
    if not isinstance(match, dict) or not isinstance(match.get("headers"), dict):
        return match
    headers = dict(match["headers"])
    for name, expected in headers.items():
        lower = name.lower()
        if lower not in SECRET_HEADERS:
            continue
        if isinstance(expected, str) and "*" not in expected and FINGERPRINT_PREFIX not in expected:
            headers[name] = redact_headers({lower: expected})[lower]
        elif isinstance(expected, dict) and isinstance(expected.get("equals"), str) \
                and FINGERPRINT_PREFIX not in expected["equals"]:
            headers[name] = {"equals": redact_headers({lower: expected["equals"]})[lower]}
    return {**match, "headers": headers}


# Secrets a request body can carry: a vault credential's `auth` (tokens, secret values, client secrets).
SECRET_AUTH_FIELDS = frozenset({"token", "access_token", "refresh_token", "secret_value", "client_secret"})


def _redact_auth(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: fingerprint(value) if key in SECRET_AUTH_FIELDS and isinstance(value, str) else _redact_auth(value)
                for key, value in node.items()}
    return [_redact_auth(item) for item in node] if isinstance(node, list) else node


def journal_body(body: Any, raw: bytes, limit: int) -> dict[str, Any]:
    """The entry fields for a request body: the parsed body, or the first `limit` bytes of its text."""
    if isinstance(body, dict) and isinstance(body.get("auth"), dict):  # a credential: its secrets never kept
        return {"body": {**body, "auth": _redact_auth(body["auth"])}, "body_bytes": len(raw),
                "body_truncated": False}
    if len(raw) <= limit:
        return {"body": body, "body_bytes": len(raw), "body_truncated": False}
    text = raw[:limit].decode("utf-8", "ignore") if limit > 0 else None
    return {"body": text, "body_bytes": len(raw), "body_truncated": True}


class Journal:
    """In-memory journal (one worker)."""

    shared = False
    durable = False  # `persist` before a response's last byte (a journal that outlives the process)

    def __init__(self, size: int = 1000, on: bool = False) -> None:
        self.on = on
        self.size = size
        self._entries: collections.deque[Entry] = collections.deque(maxlen=size)
        self._seq = itertools.count(1)

    def record(self, entry: Entry) -> None:
        entry["seq"] = next(self._seq)
        self._entries.append(entry)

    async def persist(self, entry: Entry) -> None:
        self.record(entry)

    async def entries(self, session: str | None = None, since: int = 0) -> list[Entry]:
        """Entries recorded after `since` (a seq), in the order the requests arrived."""
        return by_arrival(e for e in list(self._entries)
                          if e["seq"] > since and (session is None or e["session"] == session))

    async def page(self, session: str | None, since: int, before: int | None, matches: Filter,
                   limit: int) -> tuple[list[Entry], bool]:
        """The newest `limit` matching entries with `since` < seq < `before`, in arrival order, and
        whether older ones match too. Walks back from the newest and stops there: a page of a
        100k-entry journal costs what the page holds."""
        newest_first = reversed(list(self._entries))
        return _page((e for e in newest_first if session is None or e["session"] == session),
                     since, before, matches, limit)

    def clear(self, session: str | None = None) -> int:
        before = len(self._entries)
        if session is None:
            self._entries.clear()
        else:
            kept = [e for e in self._entries if e["session"] != session]
            self._entries.clear()
            self._entries.extend(kept)
        return before - len(self._entries)

    def close(self) -> None:
        pass


class SharedJournal(Journal):
    """Journal in a SQLite file shared by worker processes, written in batches."""

    shared = True

    def __init__(self, path: Path, size: int = 1000, on: bool = False) -> None:
        super().__init__(size, on)
        self._db = connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS journal (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "session TEXT NOT NULL, entry BLOB NOT NULL)")
        self._buffer: list[Entry] = []
        self._flush_scheduled = False
        self._lock = threading.Lock()

    def record(self, entry: Entry) -> None:
        self._buffer.append(entry)
        if not self._flush_scheduled:
            self._flush_scheduled = True
            try:
                asyncio.get_running_loop().call_later(FLUSH_SECONDS, self.flush)
            except RuntimeError:
                self.flush()

    def flush(self) -> None:
        self._flush_scheduled = False
        batch, self._buffer = self._buffer, []
        if not batch:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT INTO journal (session, entry) VALUES (?, ?)",
                                 [(e["session"], dumps(e)) for e in batch])
            self._db.execute("DELETE FROM journal WHERE seq <= (SELECT max(seq) FROM journal) - ?", (self.size,))
            self._db.execute("COMMIT")

    async def entries(self, session: str | None = None, since: int = 0) -> list[Entry]:
        self.flush()
        await asyncio.sleep(FLUSH_SECONDS * 4)  # let the other workers write their batches
        with self._lock:
            if session is None:
                rows = self._db.execute("SELECT seq, entry FROM journal WHERE seq > ? ORDER BY seq",
                                        (since,)).fetchall()
            else:
                rows = self._db.execute("SELECT seq, entry FROM journal WHERE seq > ? AND session = ? ORDER BY seq",
                                        (since, session)).fetchall()
        return by_arrival({**orjson.loads(entry), "seq": seq} for seq, entry in rows)

    async def page(self, session: str | None, since: int, before: int | None, matches: Filter,
                   limit: int) -> tuple[list[Entry], bool]:
        return _page(reversed(await self.entries(session, since)), since, before, matches, limit)

    def clear(self, session: str | None = None) -> int:
        self.flush()
        with self._lock:
            if session is None:
                return self._db.execute("DELETE FROM journal").rowcount
            return self._db.execute("DELETE FROM journal WHERE session = ?", (session,)).rowcount

    def close(self) -> None:
        self.flush()
        self._db.close()


def open_journal(data_dir: Path | None, workers: int, size: int, on: bool) -> Journal:
    if workers > 1 and data_dir is not None:
        return SharedJournal(data_dir / DB_NAME, size, on)
    return Journal(size, on)


def entry_filter(operation: str | None = None, method: str | None = None, path: str | None = None,
                 status: int | None = None, rule: str | None = None) -> Filter:
    tests: list[Filter] = []
    if operation:
        tests.append(lambda e: e["operation"] == operation)
    if method:
        tests.append(lambda e: e["method"] == method.upper())
    if path:
        tests.append(lambda e: e["path"] == path)
    if status is not None:
        tests.append(lambda e: e["status"] == status)
    if rule:
        tests.append(lambda e: e["rule"] == rule)
    return lambda e: all(test(e) for test in tests)


def by_arrival(entries: Iterable[Entry]) -> list[Entry]:
    """Entries are recorded when the answer is sent (and, with several workers, written in
    batches), so their seq order is not the order the requests came in."""
    return sorted(entries, key=lambda e: (e["time"], e["seq"]))


def _page(newest_first: Iterable[Entry], since: int, before: int | None, matches: Filter,
          limit: int) -> tuple[list[Entry], bool]:
    found: list[Entry] = []
    for entry in newest_first:
        seq = entry["seq"]
        if seq <= since or (before is not None and seq >= before) or not matches(entry):
            continue
        if len(found) == limit:
            return by_arrival(found), True
        found.append(entry)
    return by_arrival(found), False

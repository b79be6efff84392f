"""The usage ledger: token sums per minute and dimension, and which API key a raw key counts for.

Sums are buffered in memory and written in batches (a Messages call only adds to a dict); the
rows themselves are built by the caller (resources/usage_ledger.py knows the API's usage fields).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from typing import Any, Callable, Mapping, Sequence

import orjson

from .objects import Objects
from .schema import matches_any

USAGE_DIMENSIONS = ("api_key_id", "workspace_id", "model", "service_tier", "context_window",
                    "inference_geo", "speed")
USAGE_MEASURES = ("uncached_input_tokens", "cache_read_input_tokens", "cache_creation_5m_input_tokens",
                  "cache_creation_1h_input_tokens", "output_tokens", "web_search_requests")

_USAGE_BATCH = 256
_USAGE_DELAY = 0.5
_MINUTE = 60
_ADD_USAGE = (
    f"INSERT INTO usage_minutes (minute, dims, {', '.join(USAGE_DIMENSIONS)}, {', '.join(USAGE_MEASURES)}, requests)"
    f" VALUES ({', '.join('?' * (3 + len(USAGE_DIMENSIONS) + len(USAGE_MEASURES)))})"
    " ON CONFLICT (minute, dims) DO UPDATE SET "
    + ", ".join(f"{m} = usage_minutes.{m} + excluded.{m}" for m in (*USAGE_MEASURES, "requests"))
)
MIGRATE_USAGE = (
    f"INSERT INTO usage_minutes SELECT CAST(at / {_MINUTE} AS INTEGER) * {_MINUTE} AS minute,"
    f" json_array({', '.join(USAGE_DIMENSIONS)}) AS dims, {', '.join(USAGE_DIMENSIONS)},"
    f" {', '.join(f'SUM({m})' for m in USAGE_MEASURES)}, COUNT(*) FROM usage GROUP BY minute, dims"
)

NewKeyRecord = Callable[[str, float], dict[str, Any]]  # (raw key, now) -> the api_key document to create


class UsageLedger(Objects):
    _BUCKET = "CAST((minute - ?) / ? AS INTEGER)"  # a usage row's time bucket
    _SUM = "SUM({column})"

    def _open_usage(self) -> None:
        self._keys: dict[str, tuple[str, str | None]] = {}
        self._usage: dict[tuple[Any, ...], list[int]] = {}  # (minute, *dimensions) -> measures + requests
        self._usage_calls = 0

    def api_key_id(self, raw_key: str, now: float, new_record: NewKeyRecord) -> tuple[str, str | None]:
        """(`apikey_...` id, workspace id) of a raw key; a key seen for the first time gets `new_record`."""
        digest = key_digest(raw_key)
        known = self._keys.get(digest)
        if known is not None:
            return known
        with self.transaction():
            row = self._db.execute("SELECT api_key_id FROM api_key_digests WHERE digest = ?", (digest,)).fetchone()
            if row is None:
                key_id = self.insert("api_key", new_record(raw_key, now), prefix="apikey_")["id"]
                self.link_api_key(raw_key, key_id)
            else:
                key_id = row[0]
            doc = self.get("api_key", key_id) or {}
        self._keys[digest] = (key_id, doc.get("workspace_id"))
        return self._keys[digest]

    def link_api_key(self, raw_key: str, api_key_id: str) -> None:
        """Make traffic sent with `raw_key` count for the API key record `api_key_id`."""
        with self.transaction():
            self._db.execute("INSERT INTO api_key_digests (digest, api_key_id) VALUES (?, ?) ON CONFLICT (digest) "
                             "DO UPDATE SET api_key_id = excluded.api_key_id",
                             (key_digest(raw_key), api_key_id))
        self._keys.pop(key_digest(raw_key), None)

    def record_usage(self, at: float, dimensions: Sequence[Any], measures: Sequence[int]) -> None:
        """Count one served call: `dimensions` and `measures` in the order of USAGE_DIMENSIONS/_MEASURES."""
        key = (int(at // _MINUTE) * _MINUTE, *dimensions)
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
            clause, present = matches_any(column, list(values))
            clauses.append(clause)
            args += present
        self.flush_usage()
        keys = [f"{self._BUCKET} AS bucket", *dimensions]
        sums = [f"{self._SUM.format(column=m)} AS {m}" for m in (*USAGE_MEASURES, "requests")]
        sql = (f"SELECT {', '.join(keys + sums)} FROM usage_minutes WHERE {' AND '.join(clauses)}"
               f" GROUP BY {', '.join(['bucket', *dimensions])} ORDER BY {', '.join(['bucket', *dimensions])}")
        with self._lock:
            cursor = self._db.execute(sql, (start, width, *args))
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]


@functools.lru_cache(maxsize=1024)  # every Messages call records usage under its key
def key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()

"""A message batch's requests and their outcomes, one row each beside the batch's document."""

from __future__ import annotations

from typing import Any, Sequence

import orjson

from ..http.json_body import dumps
from .objects import Objects


class BatchRequests(Objects):
    def create_batch(self, doc: dict[str, Any], requests: Sequence[tuple[str, Any]]) -> dict[str, Any]:
        """A new batch and its requests (custom_id, params), in one transaction."""
        with self.transaction():
            doc = self.insert("batch", doc, prefix="msgbatch_")
            self._db.executemany(
                "INSERT INTO batch_requests (batch_id, idx, custom_id, params) VALUES (?, ?, ?, ?)",
                ((doc["id"], idx, custom_id, dumps(params)) for idx, (custom_id, params) in enumerate(requests)),
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

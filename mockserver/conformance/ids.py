"""Ids across a replayed file: the real API's ids mapped to the ones the mock handed out.

A recording uploads a file (the real API answers `file_A`), then reads `/v1/files/file_A`. Replayed,
the mock answers the upload with `file_B`, so the read must ask for `file_B`. Ids the replay never
created (a file uploaded before the recording started) cannot be mapped: `unresolved` names them and
the runner sends that exchange to a stateless mock, which answers any id with a schema-valid example.
"""

from __future__ import annotations

import re
from typing import Any

# Resources a client creates and later names again; message, tool-use and request ids are never read back.
RESOURCE_ID = re.compile(rb"\b(?:file|msgbatch|skill|skillver|wrkspc|apikey|invite|user)_[0-9A-Za-z]{10,}\b")


class IdMap:
    def __init__(self) -> None:
        self._ours: dict[bytes, bytes] = {}

    def learn(self, real: Any, ours: Any) -> None:
        """Pair the `id` and `*_id` fields at the top of two answers to the same request."""
        if not (isinstance(real, dict) and isinstance(ours, dict)):
            return
        for key, value in real.items():
            mine = ours.get(key)
            if (key == "id" or key.endswith("_id")) and isinstance(value, str) and isinstance(mine, str):
                if RESOURCE_ID.fullmatch(value.encode()) and value != mine:
                    self._ours[value.encode()] = mine.encode()

    def translate(self, raw: bytes) -> bytes:
        """Real ids this replay has seen replaced by ours."""
        if not self._ours:
            return raw
        return RESOURCE_ID.sub(lambda m: self._ours.get(m.group(0), m.group(0)), raw)

    def unresolved(self, raw: bytes) -> list[str]:
        """Resource ids in `raw` (already translated) that this replay never created."""
        created = set(self._ours.values())
        return sorted({m.group(0).decode() for m in RESOURCE_ID.finditer(raw) if m.group(0) not in created})

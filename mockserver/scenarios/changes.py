"""A change counter that all workers map into memory: reading it costs one memory load, so a
worker can ask "did another worker change the rules or flags?" on every request.

The counter lives in an 8-byte file next to the state database (an anonymous map without
one). Writers store the database's generation number after they commit, so a reader that
sees the value it saw last time knows that no change was committed since.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

SIZE = 8  # one unsigned 64-bit integer


class ChangeCounter:
    def __init__(self, path: Path | None) -> None:
        self._map = _map_file(path) if path is not None else mmap.mmap(-1, SIZE)
        self._value = memoryview(self._map).cast("Q")  # reads and writes are single aligned 8-byte moves

    def read(self) -> int:
        return self._value[0]

    def publish(self, value: int) -> None:
        self._value[0] = value

    def close(self) -> None:
        self._value.release()
        self._map.close()


def _map_file(path: Path) -> mmap.mmap:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if os.fstat(fd).st_size < SIZE:  # a new file; two workers doing this at once both get zeros
            os.ftruncate(fd, SIZE)
        return mmap.mmap(fd, SIZE)
    finally:
        os.close(fd)

"""Blob files a crash leaves behind, removed when a data directory is opened.

A process killed while writing an upload leaves its `.<name>.part` file; one killed between
writing a blob and recording it leaves a blob no record points at. Both are removed at start-up,
but only by a process that has the directory to itself: with several workers, a live one may be
writing a `.part` file or about to record a new blob right now. Every process holds a shared
lock on `<blob dir>/.lease` while it has the directory open; a process that gets it exclusively
is alone, sweeps, and then shares it like the others.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

try:
    import fcntl
except ImportError:  # no flock (Windows): never sure to be alone, so never sweep
    fcntl = None  # type: ignore[assignment]

_BLOB = re.compile(r"[0-9a-f]{32}")  # Store.new_blob names: uuid4 hex
_PARTIAL = re.compile(r"\.[0-9a-f]{32}\.part")


class BlobDirLease:
    """A shared hold on a blob directory for as long as this process has it open."""

    def __init__(self, blob_dir: Path) -> None:
        self._file = open(blob_dir / ".lease", "a")
        self.alone = fcntl is not None and _try_exclusive(self._file.fileno())
        if not self.alone:
            self.share()

    def share(self) -> None:
        """After the sweep (or when not alone): hold the directory like every other process."""
        if fcntl is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_SH)

    def release(self) -> None:
        self._file.close()


def remove_leftovers(blob_dir: Path, referenced: Iterable[str]) -> list[str]:
    """Delete `.part` files and unreferenced blobs; returns the names removed."""
    keep = set(referenced)
    removed = []
    for path in blob_dir.iterdir():
        name = path.name
        if _PARTIAL.fullmatch(name) or (_BLOB.fullmatch(name) and name not in keep):
            path.unlink(missing_ok=True)
            removed.append(name)
    return removed


def _try_exclusive(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True

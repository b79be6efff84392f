"""Uploaded bytes: files in a blob folder (written whole, then renamed), referenced by documents."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, AsyncIterator, Iterator

from .objects import Objects

_BLOB_CHUNK = 1 << 16


@dataclass(slots=True)
class BlobWriter:
    name: str
    file: IO[bytes]
    size: int = 0

    def write(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)


class Blobs(Objects):
    blob_dir: Path

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

    # -- files: a document whose `blob` names its bytes ------------------------------------------------

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


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)

"""YAML documents parsed once per content.

Parsing the 650 KB spec with PyYAML takes most of a second; loading the same document as JSON
takes milliseconds. The first read of a file stores its document as JSON in a cache folder, named
by the SHA-256 of the file's bytes, so an edited file is parsed afresh and a stale entry is never
read. The cache is only a speed-up: a folder that cannot be written, or a document JSON cannot hold
(non-string keys, dates), is simply parsed every time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

import orjson
import yaml

CACHE_ENV = "MOCKSERVER_CACHE_DIR"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def cache_dir() -> Path:
    """$MOCKSERVER_CACHE_DIR, else $XDG_CACHE_HOME/anthropic-mockserver, else ~/.cache/anthropic-mockserver."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "anthropic-mockserver"


def read_document(path: Path | str) -> Any:
    """The YAML (or JSON) document in `path`, from the JSON cache when this content was read before."""
    raw = Path(path).read_bytes()
    entry = cache_dir() / f"{hashlib.sha256(raw).hexdigest()}.json"
    try:
        return orjson.loads(entry.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        pass
    document = yaml.load(raw, Loader=_Loader)  # noqa: S506 (a safe loader)
    _store(entry, document)
    return document


def _store(entry: Path, document: Any) -> None:
    try:
        encoded = orjson.dumps(document)
    except TypeError:  # dates, non-string keys: JSON cannot hold this document
        return
    if orjson.loads(encoded) != document:
        return
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=entry.parent, prefix=".tmp-", delete=False) as handle:
            handle.write(encoded)
        os.replace(handle.name, entry)  # readers never see half a file
    except OSError:
        return

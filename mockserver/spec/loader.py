"""Read the spec file and derive the per-version views of its schemas."""

from __future__ import annotations

import copy
import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

Spec = dict[str, Any]

BASE_VERSION = "2026-10-21"


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> Spec:
    with open(path, "rb") as handle:
        return parse_yaml_cached(handle.read())


def parse_cache_dir() -> Path:
    """Where parsed specs are kept as JSON: $MOCKSERVER_CACHE_DIR, else the user's cache folder."""
    base = os.environ.get("MOCKSERVER_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "anthropic-mockserver")
    return Path(base)


def parse_yaml_cached(data: bytes) -> Any:
    """YAML parsing costs seconds for the whole-surface spec and JSON parsing milliseconds: the parsed
    document is kept as JSON under its content hash, so only the first start after a change parses YAML."""
    import orjson  # here, not at the top: the spec tools import this module in venvs without it

    cached = parse_cache_dir() / f"spec-{hashlib.sha256(data).hexdigest()[:32]}.json"
    try:
        return orjson.loads(cached.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        pass
    document = yaml.load(data, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    _store(cached, orjson.dumps(document))
    return document


def _store(target: Path, payload: bytes) -> None:
    """Write atomically (parallel workers may race); a read-only cache folder only costs speed."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temporary, target)
    except OSError:
        return


def load_spec(path: Path | str) -> Spec:
    """The parsed spec; cached per file version, so tests that build many apps parse it once."""
    resolved = Path(path).resolve()
    return _load_cached(str(resolved), resolved.stat().st_mtime)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch, returning a new value (the target is left untouched)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def version_keys(spec: Spec) -> list[str]:
    """API versions whose behaviour differs, oldest first; the base version is always present."""
    keys = set(spec.get("x-mock-versions", {})) | {BASE_VERSION}
    return sorted(keys)


def schemas_for_version(spec: Spec, version: str) -> dict[str, Any]:
    """components.schemas with the version's overlay applied."""
    schemas = spec.get("components", {}).get("schemas", {})
    overlay = spec.get("x-mock-versions", {}).get(version) or {}
    return merge_patch(schemas, overlay) if overlay else schemas


def behaviour_version(requested: str, known: list[str]) -> str:
    """The newest known version not after the requested date (dates compare as strings)."""
    chosen = known[0]
    for key in known:
        if key <= requested:
            chosen = key
    return chosen

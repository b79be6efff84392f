"""Read the spec file and derive the per-version views of its schemas."""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

from .parsed import read_document

Spec = dict[str, Any]

BASE_VERSION = "2026-10-21"


@lru_cache(maxsize=4)
def _load_cached(path: str, mtime: float) -> Spec:
    return read_document(path)


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

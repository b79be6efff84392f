"""The model catalog: which model ids exist, their aliases, limits and capabilities.

Loaded from `mockserver/data/models.yaml`, plus an optional user file with the same layout
whose models are added (or update the built-in model with the same id, field by field). The
Models endpoints list it and the Messages engine resolves every request's `model` through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

BUILTIN_PATH = Path(__file__).parent / "data" / "models.yaml"


@dataclass(frozen=True, slots=True)
class ModelEntry:
    id: str
    display_name: str
    created_at: str
    line: str | None = None
    aliases: tuple[str, ...] = ()
    max_input_tokens: int = 200_000
    max_tokens: int = 64_000
    thinking: frozenset[str] = frozenset({"enabled", "disabled"})
    effort: tuple[str, ...] = ()
    prefill: bool = True
    structured_outputs: bool = False
    programmatic_tools: bool = False
    web_search: bool = True
    code_execution: bool = True
    context_management: bool = True
    min_cache_tokens: int = 1024
    lifecycle: str = "active"
    deprecated_at: str | None = None
    retires_at: str | None = None

    @property
    def retired(self) -> bool:
        return self.lifecycle == "retired"

    def info(self) -> dict[str, Any]:
        """The ModelInfo object that GET /v1/models returns for this model."""
        return {
            "type": "model",
            "id": self.id,
            "display_name": self.display_name,
            "created_at": self.created_at,
            "max_input_tokens": self.max_input_tokens,
            "max_tokens": self.max_tokens,
            "capabilities": self.capabilities(),
            "lifecycle": self.lifecycle,
            "deprecated_at": self.deprecated_at,
            "retires_at": self.retires_at,
            "line": self.line,
            # the engine accepts any fallback model, so the catalog states no list
            "allowed_fallback_models": None,
        }

    def capabilities(self) -> dict[str, Any]:
        def yes(flag: bool) -> dict[str, bool]:
            return {"supported": bool(flag)}

        thinks = bool(self.thinking & {"enabled", "adaptive"})
        compacts = self.context_management and "adaptive" in self.thinking
        return {
            "batch": yes(True),
            "citations": yes(True),
            "code_execution": yes(self.programmatic_tools),
            "context_management": {
                "supported": self.context_management,
                "clear_thinking_20251015": yes(self.context_management and thinks),
                "clear_tool_uses_20250919": yes(self.context_management),
                "compact_20260112": yes(compacts),
            },
            "compaction": {"supported": compacts, "summarize": yes(compacts)},
            "effort": {"supported": bool(self.effort),
                       **{level: yes(level in self.effort) for level in ("low", "medium", "high", "max", "xhigh")}},
            "image_input": yes(True),
            "pdf_input": yes(True),
            "server_tools": {"supported": self.web_search or self.code_execution,
                             "code_execution": yes(self.code_execution), "web_search": yes(self.web_search)},
            "structured_outputs": yes(self.structured_outputs),
            "thinking": {"supported": thinks, "types": {
                "adaptive": yes("adaptive" in self.thinking),
                "between_tools": yes(thinks),
                "disabled": yes("disabled" in self.thinking),
                "enabled": yes("enabled" in self.thinking),
            }},
        }


@dataclass(frozen=True, slots=True)
class Catalog:
    entries: list[ModelEntry]  # newest first
    _by_name: dict[str, ModelEntry] = field(repr=False, default_factory=dict)

    def resolve(self, model_or_alias: str) -> ModelEntry | None:
        return self._by_name.get(model_or_alias)

    def __iter__(self):
        return iter(self.entries)


def load_catalog(extra_path: str | Path | None = None) -> Catalog:
    raw = _read(BUILTIN_PATH)
    defaults, models = raw.get("defaults", {}), list(raw.get("models", []))
    if extra_path is not None:
        extra = _read(Path(extra_path))
        defaults = {**defaults, **extra.get("defaults", {})}
        updates = {m["id"]: m for m in extra.get("models", [])}
        models = [{**m, **updates.pop(m["id"], {})} for m in models] + list(updates.values())
    entries = sorted((_entry({**defaults, **m}) for m in models), key=lambda e: e.created_at, reverse=True)
    by_name: dict[str, ModelEntry] = {}
    for entry in reversed(entries):  # a newer model wins an alias both claim
        by_name.update({name: entry for name in (entry.id, *entry.aliases)})
    return Catalog(entries, by_name)


@lru_cache(maxsize=1)
def builtin_catalog() -> Catalog:
    return load_catalog()


def _read(path: Path) -> dict[str, Any]:
    # libyaml when present: every app reads the catalog, and the pure-Python parser takes ~0.3 s
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}


def _entry(fields: dict[str, Any]) -> ModelEntry:
    known = ModelEntry.__dataclass_fields__
    values = {k: v for k, v in fields.items() if k in known}
    values["aliases"] = tuple(values.get("aliases") or ())
    values["thinking"] = frozenset(values.get("thinking") or ())
    values["effort"] = tuple(values.get("effort") or ())
    for stamp in ("created_at", "deprecated_at", "retires_at"):
        if values.get(stamp) is not None:
            values[stamp] = str(values[stamp])
    return ModelEntry(**values)

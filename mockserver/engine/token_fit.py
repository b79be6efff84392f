"""The token accounting's coefficients, fitted per model family on real recorded usage.

`mockserver/data/token_fit.yaml` is written by `tools/refit_tokens.py` from the real-traffic
corpus: each family lists the model id prefixes it covers and one number per coefficient
(what a message, a tool definition's token, a web search tool, a PDF page ... costs). A model
matching no family's prefixes uses `default`. Counting code reads a coefficient by name, so a
refit changes numbers, never code.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Mapping

import yaml

FIT_PATH = Path(__file__).resolve().parent.parent / "data" / "token_fit.yaml"
DEFAULT = "default"

Coefficients = Mapping[str, float]


@functools.cache
def families() -> dict[str, dict]:
    with FIT_PATH.open("rb") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["families"]


def family_of(model: object) -> str:
    """The family whose longest prefix starts the model id (`default` when none does)."""
    name = model if isinstance(model, str) else ""
    best, length = DEFAULT, -1
    for family, entry in families().items():
        for prefix in entry.get("models") or ():
            if name.startswith(prefix) and len(prefix) > length:
                best, length = family, len(prefix)
    return best


def for_model(model: object) -> Coefficients:
    return _coefficients(model if isinstance(model, str) else "")


@functools.lru_cache(maxsize=256)
def _coefficients(model: str) -> Coefficients:
    return dict(families()[family_of(model)]["coefficients"])

"""Handlers with real behaviour, one module per resource family, keyed by operationId."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..app import AppState


def all_handlers(state: AppState) -> dict[str, Any]:
    """Every family's handlers; operations missing here answer with their spec example."""
    handlers: dict[str, Any] = {}
    return handlers

"""Handlers with real behaviour, one module per resource family, keyed by operationId."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import (agents, batches, claude_code, cost_reports, environments, files, memory_stores, messages, models,
               oauth, organization, sdk_forms, sessions, skills, usage_reports, vaults, webhooks, workspaces)
from .admin_seed import seed_store
from .services import open_services

if TYPE_CHECKING:
    from ..state import AppState

STATEFUL_FAMILIES = (sdk_forms, messages, batches, files, skills, models, organization, workspaces, usage_reports,
                     cost_reports, claude_code, oauth, agents, environments, sessions, vaults, memory_stores, webhooks)


def all_handlers(state: AppState) -> dict[str, Any]:
    """Every family's handlers; operations missing here answer with their spec example."""
    seed_store(open_services(state), state.config.organization_id)
    handlers: dict[str, Any] = {}
    for family in STATEFUL_FAMILIES:
        handlers.update(family.handlers(state))
    return handlers

"""The shared services of the stateful families: the store and the model catalog, built once per app."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Iterable

from ..catalog import Catalog, load_catalog
from ..db import open_store
from ..engine.context import EngineContext, PromptCache
from ..http.errors import not_found
from ..store import Store

if TYPE_CHECKING:
    from ..app import AppState
    from ..call import Call


def open_services(state: AppState) -> Store:
    """Create the store and the catalog for this app (once) and register the store's closer."""
    extras = state.extras
    if "store" not in extras:
        extras["store"] = open_store(state.config)
        extras.setdefault("closers", []).append(extras["store"].close)
    if "catalog" not in extras:
        extras["catalog"] = load_catalog(state.config.models_file)
    return extras["store"]


def store_of(call: Call) -> Store:
    return call.state.extras["store"]


def catalog_of(call: Call) -> Catalog:
    return call.state.extras["catalog"]


def stored(call: Call, kind: str, param: str, label: str) -> dict[str, Any]:
    """The `kind` record the path parameter `param` names, or 404 "<label> <id> not found"."""
    record_id = call.path_params[param]
    record = store_of(call).get(kind, record_id)
    if record is None:
        raise not_found(f"{label} {record_id} not found")
    return record


def engine_context(state: AppState, *, rng: random.Random, now: float, betas: Iterable[str], version: str,
                   cache: PromptCache | None = None, service_tier: str | None = None,
                   beta_path: bool = False) -> EngineContext:
    """What the engine needs to answer one Messages request, the app's settings and catalog included."""
    return EngineContext(rng=rng, now=now, reply_mode=state.config.reply, betas=frozenset(betas), version=version,
                         cache=cache, catalog=state.extras.get("catalog"), service_tier=service_tier,
                         beta_path=beta_path)

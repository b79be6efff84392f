"""The shared services of the stateful families: the store and the model catalog, built once per app."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Iterable

from ..catalog import Catalog, load_catalog
from ..backends import open_store
from ..db import ObjectStore
from ..engine.context import EngineContext, PromptCache
from ..http.errors import not_found

if TYPE_CHECKING:
    from ..state import AppState
    from ..call import Call


def open_services(state: AppState) -> ObjectStore:
    """Create the store and the catalog for this app (once) and register the store's closer."""
    if state.store is None:
        state.store = open_store(state.config)
        state.closers.append(state.store.close)
    if state.catalog is None:
        state.catalog = load_catalog(state.config.models_file)
    return state.store


def store_of(call: Call) -> ObjectStore:
    return call.state.store  # type: ignore[return-value]  # set by open_services before any handler runs


def catalog_of(call: Call) -> Catalog:
    return call.state.catalog  # type: ignore[return-value]


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
                         cache=cache, catalog=state.catalog, service_tier=service_tier,
                         beta_path=beta_path)


def archive_record(call: Call, kind: str, record: dict[str, Any], parent: str = "") -> dict[str, Any]:
    """Set `archived_at` once (archiving again keeps the first time); the record as stored."""
    def archive(doc: dict[str, Any]) -> None:
        doc["archived_at"] = doc["archived_at"] or call.received_at
        doc["updated_at"] = call.received_at

    return store_of(call).update(kind, record["id"], archive, parent=parent) or record


def delete_with_children(call: Call, kind: str, record: dict[str, Any], *child_kinds: str) -> None:
    """Delete `record` and every record of `child_kinds` stored under it, in one transaction."""
    store = store_of(call)
    with store.transaction():
        for child_kind in child_kinds:
            for child in store.all(child_kind, parent=record["id"]):
                store.delete(child_kind, child["id"], parent=record["id"])
        store.delete(kind, record["id"])


def stored_child(call: Call, kind: str, param: str, parent: dict[str, Any], label: str) -> dict[str, Any]:
    """The `kind` record under `parent` that the path parameter `param` names, or 404."""
    record_id = call.path_params[param]
    record = store_of(call).get(kind, record_id, parent=parent["id"])
    if record is None:
        raise not_found(f"{label} {record_id} not found")
    return record

"""The shared services of the stateful families: the store and the model catalog, built once per app."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..catalog import Catalog, load_catalog
from ..backends import open_store
from ..db import ObjectStore
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

"""The shared services of the stateful families: the store and the model catalog, built once per app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalog import Catalog, load_catalog
from ..store import Store

if TYPE_CHECKING:
    from ..app import AppState
    from ..call import Call


def open_services(state: AppState) -> Store:
    """Create the store and the catalog for this app (once) and register the store's closer."""
    extras = state.extras
    if "store" not in extras:
        extras["store"] = Store.open(state.config)
        extras.setdefault("closers", []).append(extras["store"].close)
    if "catalog" not in extras:
        extras["catalog"] = load_catalog(state.config.models_file)
    return extras["store"]


def store_of(call: Call) -> Store:
    return call.state.extras["store"]


def catalog_of(call: Call) -> Catalog:
    return call.state.extras["catalog"]

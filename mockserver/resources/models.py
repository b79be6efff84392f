"""Models: the catalog, newest first; retrieve by id or alias (the answer carries the canonical id)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.errors import not_found
from ..http.replies import JsonReply, Reply
from .paging import list_page
from .services import catalog_of

if TYPE_CHECKING:
    from ..state import AppState


def handlers(state: AppState) -> dict[str, Any]:
    return {"models_list": list_models, "models_retrieve": retrieve_model}


def list_models(call: Call) -> Reply:
    lifecycles = set(call.query.get("lifecycle") or ())
    infos = [entry.info() for entry in catalog_of(call) if not lifecycles or entry.lifecycle in lifecycles]
    return JsonReply(list_page(infos, call.query))


def retrieve_model(call: Call) -> Reply:
    model_id = call.path_params["model_id"]
    entry = catalog_of(call).resolve(model_id)
    if entry is None:
        raise not_found(f"model: {model_id}")
    return JsonReply(entry.info())

"""Managed Agents environments: create, retrieve, update, list, archive and delete.

A config is answered in full: a cloud config gets every package manager's list and its networking
with all of its fields; no config means an unrestricted cloud environment. (The self-hosted work
queue under an environment answers with examples.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.replies import JsonReply, Reply
from .agents import merged_metadata
from .paging import fetch, next_token
from .services import archive_record, store_of, stored
from .stamps import rfc3339

if TYPE_CHECKING:
    from ..state import AppState

_MANAGERS = ("apt", "cargo", "gem", "go", "npm", "pip")


def handlers(state: AppState) -> dict[str, Any]:
    return {
        "beta_environments_create": create_environment, "beta_environments_retrieve": retrieve_environment,
        "beta_environments_update": update_environment, "beta_environments_list": list_environments,
        "beta_environments_archive": archive_environment, "beta_environments_delete": delete_environment,
    }


def create_environment(call: Call) -> Reply:
    body, now = call.body, call.received_at
    doc = {"name": body["name"], "description": body.get("description"), "metadata": body.get("metadata") or {},
           "scope": body.get("scope"), "config": config(body.get("config")), "created_at": now, "updated_at": now,
           "archived_at": None}
    return JsonReply(render_environment(store_of(call).insert("environment", doc, prefix="env_")))


def retrieve_environment(call: Call) -> Reply:
    return JsonReply(render_environment(_environment(call)))


def update_environment(call: Call) -> Reply:
    environment, body = _environment(call), call.body

    def change(doc: dict[str, Any]) -> None:
        for name in ("name", "description", "scope"):
            if body.get(name) is not None:
                doc[name] = body[name]
        if body.get("config") is not None:
            doc["config"] = config(body["config"])
        if isinstance(body.get("metadata"), dict):
            doc["metadata"] = merged_metadata(doc["metadata"], body["metadata"])
        doc["updated_at"] = call.received_at

    return JsonReply(render_environment(store_of(call).update("environment", environment["id"], change)
                                        or environment))


def list_environments(call: Call) -> Reply:
    archived = call.query.get("include_archived") in (True, "true")
    page = fetch(store_of(call), "environment", call.query, where=None if archived else {"archived_at": [None]})
    return JsonReply({"data": [render_environment(doc) for doc in page.items], "next_page": next_token(page)})


def archive_environment(call: Call) -> Reply:
    return JsonReply(render_environment(archive_record(call, "environment", _environment(call))))


def delete_environment(call: Call) -> Reply:
    environment = _environment(call)
    store_of(call).delete("environment", environment["id"])
    return JsonReply({"id": environment["id"], "type": "environment_deleted"})


def config(param: Any) -> dict[str, Any]:
    """A config in response shape."""
    param = param if isinstance(param, dict) else {"type": "cloud"}
    if param.get("type") == "self_hosted":
        return {"type": "self_hosted"}
    packages = param.get("packages") or {}
    networking = param.get("networking") or {}
    if networking.get("type") == "limited":
        networking = {"type": "limited", "allowed_hosts": list(networking.get("allowed_hosts") or []),
                      "allow_mcp_servers": bool(networking.get("allow_mcp_servers", False)),
                      "allow_package_managers": bool(networking.get("allow_package_managers", False))}
    else:
        networking = {"type": "unrestricted"}
    return {"type": "cloud", "networking": networking,
            "packages": {"type": "packages", **{name: list(packages.get(name) or []) for name in _MANAGERS}}}


def render_environment(doc: dict[str, Any]) -> dict[str, Any]:
    return {"type": "environment", "id": doc["id"], "name": doc["name"], "description": doc["description"],
            "metadata": doc["metadata"], "scope": doc["scope"], "config": doc["config"],
            "created_at": rfc3339(doc["created_at"]), "updated_at": rfc3339(doc["updated_at"]),
            "archived_at": rfc3339(doc["archived_at"])}


def _environment(call: Call) -> dict[str, Any]:
    return stored(call, "environment", "environment_id", "Environment")

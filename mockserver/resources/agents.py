"""Managed Agents: agents and their versions.

Each create or update stores a full snapshot as a version (`agent_version`, under the agent), so
`versions.list` and sessions that pin `{id, version}` read the agent as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.errors import ApiError, invalid_request
from ..http.replies import JsonReply, Reply
from . import agent_shapes as shapes
from .paging import fetch, next_token
from .services import archive_record, store_of, stored
from .stamps import rfc3339

if TYPE_CHECKING:
    from ..state import AppState

# `multiagent` is not kept yet: its response shape resolves agent references (answered as null).
_FIELDS = ("description", "system", "metadata", "model", "tools", "skills", "mcp_servers", "execution_identity")


def handlers(state: AppState) -> dict[str, Any]:
    return {
        "beta_agents_create": create_agent,
        "beta_agents_retrieve": retrieve_agent,
        "beta_agents_update": update_agent,
        "beta_agents_list": list_agents,
        "beta_agents_archive": archive_agent,
        "beta_agents_versions_list": list_versions,
    }


def create_agent(call: Call) -> Reply:
    body, now, store = call.body, call.received_at, store_of(call)
    doc = {"name": body["name"], "version": 1, "created_at": now, "updated_at": now, "archived_at": None,
           **_shaped(body, {})}
    with store.transaction():
        agent = store.insert("agent", doc, prefix="agent_")
        _snapshot(call, agent)
    return JsonReply(render_agent(agent))


def retrieve_agent(call: Call) -> Reply:
    agent = _agent(call)
    wanted = call.query.get("version")
    if wanted is not None and int(wanted) != agent["version"]:
        return JsonReply(render_agent(agent_version(call, agent["id"], int(wanted))))
    return JsonReply(render_agent(agent))


def update_agent(call: Call) -> Reply:
    agent, body, store = _agent(call), call.body, store_of(call)
    if agent["archived_at"] is not None:
        raise invalid_request(f"Agent {agent['id']} is archived and cannot be updated.")
    expected = body.get("version")
    if expected is not None and expected != agent["version"]:
        raise invalid_request(f"version {expected} does not match the agent's current version {agent['version']}")
    changes = _shaped(body, agent)
    if "name" in body:
        changes["name"] = body["name"]
    if all(agent.get(key) == value for key, value in changes.items()):
        return JsonReply(render_agent(agent))  # nothing changed: no new version

    def bump(doc: dict[str, Any]) -> None:
        doc.update(changes, version=doc["version"] + 1, updated_at=call.received_at)

    with store.transaction():
        updated = store.update("agent", agent["id"], bump) or agent
        _snapshot(call, updated)
    return JsonReply(render_agent(updated))


def list_agents(call: Call) -> Reply:
    archived = call.query.get("include_archived") in (True, "true")
    where = None if archived else {"archived_at": [None]}
    page = fetch(store_of(call), "agent", call.query, where=where)
    return JsonReply({"data": [render_agent(doc) for doc in page.items], "next_page": next_token(page)})


def archive_agent(call: Call) -> Reply:
    return JsonReply(render_agent(archive_record(call, "agent", _agent(call))))


def list_versions(call: Call) -> Reply:
    agent = _agent(call)
    page = fetch(store_of(call), "agent_version", call.query, parent=agent["id"])
    return JsonReply({"data": [render_agent(doc) for doc in page.items], "next_page": next_token(page)})


def render_agent(doc: dict[str, Any]) -> dict[str, Any]:
    return {"type": "agent", "id": doc.get("agent_id", doc["id"]), "name": doc["name"], "version": doc["version"],
            "description": doc["description"], "system": doc["system"], "metadata": doc["metadata"],
            "model": doc["model"], "tools": doc["tools"], "skills": doc["skills"], "mcp_servers": doc["mcp_servers"],
            "execution_identity": doc["execution_identity"], "multiagent": None,
            "created_at": rfc3339(doc["created_at"]), "updated_at": rfc3339(doc["updated_at"]),
            "archived_at": rfc3339(doc["archived_at"])}


def agent_version(call: Call, agent_id: str, version: int) -> dict[str, Any]:
    """The stored snapshot of `agent_id` at `version`, or a 404."""
    found = store_of(call).all("agent_version", parent=agent_id, where={"version": [version]})
    if not found:
        raise ApiError("not_found_error", f"Agent {agent_id} has no version {version}")
    return found[0]


def _shaped(body: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """The agent fields the body sets, in response shape; on create the others get their defaults."""
    makers = {"model": shapes.model_config, "execution_identity": shapes.execution_identity,
              "tools": lambda items: [shapes.tool(item) for item in items or []],
              "skills": lambda items: [shapes.skill(item) for item in items or []],
              "mcp_servers": lambda items: [shapes.mcp_server(item) for item in items or []]}
    defaults = {"description": None, "system": None, "metadata": {}, "tools": [], "skills": [], "mcp_servers": [],
                "execution_identity": {"type": "service_account"}, "multiagent": None}
    shaped: dict[str, Any] = {}
    for name in _FIELDS:
        if name in body:
            value = body[name]
            if value is None and name in ("tools", "skills", "mcp_servers", "metadata"):
                value = {} if name == "metadata" else []  # null clears: the response's lists are never null
            shaped[name] = makers[name](value) if name in makers and (value is not None or name == "execution_identity") \
                else value
        elif not current:
            shaped[name] = defaults.get(name)
    if "metadata" in body:
        shaped["metadata"] = merged_metadata(current.get("metadata") or {}, body["metadata"] or {})
    return shaped


def merged_metadata(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Metadata updates merge; a key set to "" or null is removed."""
    merged = dict(current)
    for key, value in patch.items():
        if value in ("", None):
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _snapshot(call: Call, agent: dict[str, Any]) -> None:
    snapshot = {key: value for key, value in agent.items() if key != "id"}
    store_of(call).insert("agent_version", {**snapshot, "agent_id": agent["id"]}, prefix="agentver_",
                          parent=agent["id"])


def _agent(call: Call) -> dict[str, Any]:
    return stored(call, "agent", "agent_id", "Agent")

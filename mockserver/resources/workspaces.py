"""Admin API, workspace level: workspaces (at most 100 active) and their members."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.errors import ApiError, invalid_request, not_found
from ..http.replies import JsonReply, Reply
from .admin_seed import DEFAULT_DATA_PRIVACY, new_workspace
from .paging import id_page
from .services import store_of, stored
from .stamps import rfc3339

if TYPE_CHECKING:
    from ..state import AppState

MAX_ACTIVE = 100


def handlers(state: AppState) -> dict[str, Any]:
    return {
        "workspaces_create": create_workspace,
        "workspaces_retrieve": retrieve_workspace,
        "workspaces_list": list_workspaces,
        "workspaces_update": update_workspace,
        "workspaces_archive": archive_workspace,
        "workspace_members_create": add_member,
        "workspace_members_retrieve": retrieve_member,
        "workspace_members_list": list_members,
        "workspace_members_update": update_member,
        "workspace_members_delete": remove_member,
    }


# -- workspaces -----------------------------------------------------------------------------------

def create_workspace(call: Call) -> Reply:
    store = store_of(call)
    with store.transaction():
        if store.count("workspace", where={"archived_at": [None], "default": [False]}) >= MAX_ACTIVE:
            raise invalid_request(f"This organization already has the maximum of {MAX_ACTIVE} active workspaces. "
                                  "Archive a workspace before creating a new one.")
        _check_tags(call.body.get("tags"))
        _check_data_privacy({**DEFAULT_DATA_PRIVACY, **(call.body.get("inference_data_privacy") or {})})
        workspace = store.insert("workspace", new_workspace(call.body, call.received_at), prefix="wrkspc_")
    return JsonReply(render_workspace(workspace))


def retrieve_workspace(call: Call) -> Reply:
    return JsonReply(render_workspace(_workspace(call)))


def list_workspaces(call: Call) -> Reply:
    query = call.query
    where: dict[str, list[Any]] = {}
    if not query.get("include_archived"):
        where["archived_at"] = [None]
    if not query.get("include_default"):
        where["default"] = [False]
    if query.get("ids"):
        where["id"] = list(query["ids"])
    return JsonReply(id_page(store_of(call), "workspace", query, render_workspace, where=where))


def update_workspace(call: Call) -> Reply:
    workspace, body = _editable(call), call.body
    if "external_key_id" in body and workspace["external_key_id"] not in (None, body["external_key_id"]):
        raise invalid_request("external_key_id: is write-once; this workspace already has an external key.")
    if body.get("name") is not None and not 1 <= len(body["name"]) <= 40:
        raise invalid_request("name: String should have between 1 and 40 characters")
    _check_tags(body.get("tags"))
    privacy = {**_data_privacy(workspace), **(body.get("inference_data_privacy") or {})}
    _check_data_privacy(privacy)

    def apply(doc: dict[str, Any]) -> None:
        for name in ("name", "display_color", "external_key_id", "user_profile_id"):
            if body.get(name) is not None:
                doc[name] = body[name]
        for tag, value in (body.get("tags") or {}).items():
            if value is None:
                doc["tags"].pop(tag, None)
            else:
                doc["tags"][tag] = value
        residency = {k: v for k, v in (body.get("data_residency") or {}).items() if v is not None}
        doc["data_residency"].update(residency)
        doc["inference_data_privacy"] = privacy

    return JsonReply(render_workspace(store_of(call).update("workspace", workspace["id"], apply) or workspace))


def archive_workspace(call: Call) -> Reply:
    workspace, store = _editable(call), store_of(call)
    now = call.received_at
    with store.transaction():
        for key in store.all("api_key", where={"workspace_id": [workspace["id"]]}):
            store.update("api_key", key["id"], lambda doc: doc.update(status="archived"))
        archived = store.update("workspace", workspace["id"], lambda doc: doc.update(archived_at=now))
    return JsonReply(render_workspace(archived or workspace))


def render_workspace(workspace: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": workspace["id"], "type": "workspace", "name": workspace["name"],
        "created_at": rfc3339(workspace["created_at"]), "archived_at": rfc3339(workspace["archived_at"]),
        "display_color": workspace["display_color"], "data_residency": workspace["data_residency"],
        "compartment_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"compartment:{workspace['id']}")),
        "external_key_id": workspace["external_key_id"], "tags": workspace["tags"],
        "user_profile_id": workspace["user_profile_id"], "inference_data_privacy": _data_privacy(workspace),
    }


def _data_privacy(workspace: dict[str, Any]) -> dict[str, Any]:
    # workspaces stored before the field existed (a --data-dir from an older version) take the defaults
    return workspace.get("inference_data_privacy") or dict(DEFAULT_DATA_PRIVACY)


def _check_data_privacy(privacy: dict[str, Any]) -> None:
    """Anthropic does not review data kept in a customer's own storage (the API's documented 400)."""
    if privacy["human_review"]["type"] == "enabled" and privacy["safeguards_storage"]["type"] == "external":
        raise ApiError("invalid_request_error", "inference_data_privacy: human review cannot stay enabled while "
                       "safeguards_storage is external storage; set human_review to disabled or safeguards_storage "
                       "to internal.", details={"error_code": "human_review_on_with_external_storage"})


def _workspace(call: Call) -> dict[str, Any]:
    return stored(call, "workspace", "workspace_id", "Workspace")


def _editable(call: Call) -> dict[str, Any]:
    workspace = _workspace(call)
    if workspace["default"]:
        raise invalid_request("The default workspace cannot be modified or archived.")
    if workspace["archived_at"] is not None:
        raise invalid_request(f"Workspace {workspace['id']} is archived and can no longer be modified.")
    return workspace


def _check_tags(tags: dict[str, Any] | None) -> None:
    for name in tags or {}:
        if name.lower().startswith("anthropic"):
            raise invalid_request(f"tags.{name}: tag keys must not start with 'anthropic'")


# -- members --------------------------------------------------------------------------------------

def add_member(call: Call) -> Reply:
    workspace, store = _workspace(call), store_of(call)
    if workspace["archived_at"] is not None:
        raise invalid_request(f"Workspace {workspace['id']} is archived and can no longer be modified.")
    user_id = call.body["user_id"]
    if store.get("user", user_id) is None:
        raise not_found(f"User {user_id} not found")
    with store.transaction():
        if store.get("workspace_member", user_id, parent=workspace["id"]) is not None:
            raise invalid_request(f"User {user_id} is already a member of workspace {workspace['id']}.")
        member = store.insert("workspace_member", {"id": user_id, "workspace_role": call.body["workspace_role"]},
                              parent=workspace["id"])
    return JsonReply(render_member(member, workspace["id"]))


def retrieve_member(call: Call) -> Reply:
    workspace = _workspace(call)
    return JsonReply(render_member(_member(call, workspace["id"]), workspace["id"]))


def list_members(call: Call) -> Reply:
    workspace_id = _workspace(call)["id"]
    return JsonReply(id_page(store_of(call), "workspace_member", call.query,
                             lambda doc: render_member(doc, workspace_id), parent=workspace_id))


def update_member(call: Call) -> Reply:
    workspace_id = _workspace(call)["id"]
    member = _member(call, workspace_id)
    role = call.body["workspace_role"]
    updated = store_of(call).update("workspace_member", member["id"], lambda doc: doc.update(workspace_role=role),
                                    parent=workspace_id)
    return JsonReply(render_member(updated or member, workspace_id))


def remove_member(call: Call) -> Reply:
    workspace_id = _workspace(call)["id"]
    member = _member(call, workspace_id)
    store_of(call).delete("workspace_member", member["id"], parent=workspace_id)
    return JsonReply({"type": "workspace_member_deleted", "user_id": member["id"], "workspace_id": workspace_id})


def render_member(member: dict[str, Any], workspace_id: str) -> dict[str, Any]:
    return {"type": "workspace_member", "user_id": member["id"], "workspace_id": workspace_id,
            "workspace_role": member["workspace_role"]}


def _member(call: Call, workspace_id: str) -> dict[str, Any]:
    user_id = call.path_params["user_id"]
    member = store_of(call).get("workspace_member", user_id, parent=workspace_id)
    if member is None:
        raise not_found(f"User {user_id} is not a member of workspace {workspace_id}")
    return member

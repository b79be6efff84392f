"""Admin API, organization level: the organization, its users, invites and API keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.errors import ApiError, invalid_request
from ..http.replies import JsonReply, Reply
from ..store import Store
from .admin_seed import DAY, INVITE_DAYS
from .paging import id_page
from .services import store_of, stored
from .stamps import rfc3339

if TYPE_CHECKING:
    from ..state import AppState

LEGACY = "2023-06-01"


def handlers(state: AppState) -> dict[str, Any]:
    return {
        "organization_me": me,
        "users_list": list_users,
        "users_retrieve": retrieve_user,
        "users_update": update_user,
        "users_delete": delete_user,
        "users_sign_out": sign_out_user,
        "invites_create": create_invite,
        "invites_retrieve": retrieve_invite,
        "invites_list": list_invites,
        "invites_delete": delete_invite,
        "api_keys_list": list_api_keys,
        "api_keys_retrieve": retrieve_api_key,
        "api_keys_update": update_api_key,
    }


def me(call: Call) -> Reply:
    organization_id = call.state.config.organization_id
    doc = store_of(call).get("organization", organization_id) or {}
    return JsonReply({"id": organization_id, "type": "organization", "name": doc.get("name", "Mock Organization")})


# -- users ----------------------------------------------------------------------------------------

def list_users(call: Call) -> Reply:
    where = _by_email_and_role(call.query)
    return JsonReply(id_page(store_of(call), "user", call.query, render_user, where=where))


def _by_email_and_role(query: dict[str, Any]) -> dict[str, list[Any]]:
    """The list filters users and invites share: `email` and `roles[]`."""
    where: dict[str, list[Any]] = {}
    if "email" in query:
        where["email"] = [query["email"]]
    if query.get("roles"):
        where["role"] = list(query["roles"])
    return where


def retrieve_user(call: Call) -> Reply:
    return JsonReply(render_user(_user(call)))


def update_user(call: Call) -> Reply:
    user = _user(call)
    if user["role"] == "admin":
        raise invalid_request(f"User {user['id']} has the admin role, which cannot be changed through the Admin API.")
    updated = store_of(call).update("user", user["id"], lambda doc: doc.update(role=call.body["role"]))
    return JsonReply(render_user(updated or user))


def delete_user(call: Call) -> Reply:
    user, store = _user(call), store_of(call)
    if user["role"] == "admin":
        raise invalid_request(f"User {user['id']} has the admin role; organization admins cannot be removed "
                              "through the Admin API.")
    with store.transaction():
        for workspace in store.all("workspace"):
            store.delete("workspace_member", user["id"], parent=workspace["id"])
        store.delete("user", user["id"])
    return JsonReply({"id": user["id"], "type": "user_deleted"})


SIGN_OUT_BETA = "admin-user-sign-out-2026-10-08"


def sign_out_user(call: Call) -> Reply:
    """Sign-out ends sessions elsewhere; here it checks what the API refuses and returns the member unchanged."""
    if not call.has_beta(SIGN_OUT_BETA):
        raise invalid_request(f"This endpoint is in beta: send `anthropic-beta: {SIGN_OUT_BETA}`.")
    user = _user(call)
    if user["role"] == "admin":
        raise ApiError("permission_error", f"User {user['id']} has the admin role; owners and members with owner "
                       "permissions cannot be signed out through the Admin API.",
                       details={"error_code": "cannot_sign_out_privileged_member"})
    return JsonReply(render_user(user))


def render_user(user: dict[str, Any]) -> dict[str, Any]:
    return {"id": user["id"], "type": "user", "email": user["email"], "name": user["name"], "role": user["role"],
            "added_at": rfc3339(user["added_at"])}


def _user(call: Call) -> dict[str, Any]:
    return stored(call, "user", "user_id", "User")


# -- invites --------------------------------------------------------------------------------------

def create_invite(call: Call) -> Reply:
    store, body, now = store_of(call), call.body, call.received_at
    email = body["email"]
    with store.transaction():
        member = store.all("user", where={"email": [email]})
        if member:
            raise ApiError("invalid_request_error", f"{email} is already a member of this organization "
                           f"(user {member[0]['id']}).", details={"error_code": "already_member"})
        pending = [i for i in store.all("invite", where={"email": [email]}) if invite_status(i, now) == "pending"]
        if pending:
            raise ApiError("invalid_request_error", f"A pending invite for {email} already exists "
                           f"({pending[0]['id']}).", details={"error_code": "invite_already_exists"})
        invite = store.insert("invite", {"email": email, "role": body["role"], "invited_at": now,
                                         "expires_at": now + INVITE_DAYS * DAY, "status": "pending",
                                         "accepted_at": None, "rbac_group_ids": list(body.get("rbac_group_ids") or [])},
                              prefix="invite_")
    return JsonReply(render_invite(invite, now))


def retrieve_invite(call: Call) -> Reply:
    return JsonReply(render_invite(_invite(call), call.received_at))


def list_invites(call: Call) -> Reply:
    where = _by_email_and_role(call.query)
    if call.query.get("statuses"):
        wanted = set(call.query["statuses"])
        where["status"] = sorted(wanted | ({"pending"} if "expired" in wanted else set()))
    page = id_page(store_of(call), "invite", call.query, lambda doc: render_invite(doc, call.received_at),
                   where=where)
    if call.query.get("statuses"):
        page["data"] = [invite for invite in page["data"] if invite["status"] in call.query["statuses"]]
    return JsonReply(page)


def delete_invite(call: Call) -> Reply:
    invite = _invite(call)
    store_of(call).delete("invite", invite["id"])
    return JsonReply({"id": invite["id"], "type": "invite_deleted"})


def invite_status(invite: dict[str, Any], now: float) -> str:
    if invite["status"] == "pending" and now >= invite["expires_at"]:
        return "expired"
    return invite["status"]


def render_invite(invite: dict[str, Any], now: float) -> dict[str, Any]:
    return {"id": invite["id"], "type": "invite", "email": invite["email"], "role": invite["role"],
            "status": invite_status(invite, now), "invited_at": rfc3339(invite["invited_at"]),
            "expires_at": rfc3339(invite["expires_at"]), "accepted_at": rfc3339(invite.get("accepted_at")),
            "rbac_group_ids": invite.get("rbac_group_ids", [])}


def _invite(call: Call) -> dict[str, Any]:
    return stored(call, "invite", "invite_id", "Invite")


# -- API keys -------------------------------------------------------------------------------------

def list_api_keys(call: Call) -> Reply:
    store, query = store_of(call), call.query
    where: dict[str, list[Any]] = {}
    if "status" in query:
        where["status"] = [query["status"]]
    if "created_by_user_id" in query:
        where["created_by"] = [query["created_by_user_id"]]
    if "workspace_id" in query:
        default = default_workspace_id(store)
        where["workspace_id"] = [query["workspace_id"], *([None] if query["workspace_id"] == default else [])]
    render = key_renderer(call)
    return JsonReply(id_page(store, "api_key", query, render, where=where))


def retrieve_api_key(call: Call) -> Reply:
    return JsonReply(key_renderer(call)(_api_key(call)))


def update_api_key(call: Call) -> Reply:
    key, body = _api_key(call), call.body
    if key["status"] == "archived":
        raise invalid_request(f"API key {key['id']} is archived and can no longer be updated.")
    if body.get("name") is not None and not 1 <= len(body["name"]) <= 500:
        raise invalid_request("name: String should have between 1 and 500 characters")
    changes = {name: body[name] for name in ("name", "status") if body.get(name) is not None}
    updated = store_of(call).update("api_key", key["id"], lambda doc: doc.update(changes))
    return JsonReply(key_renderer(call)(updated or key))


def key_renderer(call: Call):
    default = default_workspace_id(store_of(call))
    legacy = call.version == LEGACY

    def render(key: dict[str, Any]) -> dict[str, Any]:
        workspace = key.get("workspace_id")
        if key.get("principal") and workspace is None:
            scope: dict[str, Any] = {"type": "organization"}
        else:
            scope = {"type": "workspace", "workspace_id": workspace or default}
        creator = key.get("created_by")
        principal = key.get("principal")
        shape = {
            "id": key["id"], "type": "api_key", "name": key["name"], "created_at": rfc3339(key["created_at"]),
            "created_by": {"id": creator, "type": "user"} if creator else None,
            "expires_at": rfc3339(key.get("expires_at")), "partial_key_hint": key.get("partial_key_hint"),
            "principal": {"type": "user_actor", "user_id": principal} if principal else None,
            "scope": scope, "status": key["status"],
        }
        if legacy:
            shape["workspace_id"] = workspace
        return shape

    return render


def default_workspace_id(store: Store) -> str | None:
    found = store.all("workspace", where={"default": [True]})
    return found[0]["id"] if found else None


def _api_key(call: Call) -> dict[str, Any]:
    return stored(call, "api_key", "api_key_id", "API key")

"""Managed Agents vaults and their credentials.

A credential's secret (an access or refresh token, a bearer token, a secret value, a client
secret) is dropped on arrival: only the public part of `auth` is stored, so no answer, list or
store dump can carry it back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.replies import JsonReply, Reply
from .agents import merged_metadata
from .paging import fetch, next_token
from .services import archive_record, delete_with_children, store_of, stored, stored_child
from .stamps import rfc3339

if TYPE_CHECKING:
    from ..state import AppState


def handlers(state: AppState) -> dict[str, Any]:
    return {
        "beta_vaults_create": create_vault, "beta_vaults_retrieve": retrieve_vault,
        "beta_vaults_update": update_vault, "beta_vaults_list": list_vaults,
        "beta_vaults_archive": archive_vault, "beta_vaults_delete": delete_vault,
        "beta_vaults_credentials_create": create_credential, "beta_vaults_credentials_retrieve": retrieve_credential,
        "beta_vaults_credentials_update": update_credential, "beta_vaults_credentials_list": list_credentials,
        "beta_vaults_credentials_archive": archive_credential, "beta_vaults_credentials_delete": delete_credential,
    }


def create_vault(call: Call) -> Reply:
    now = call.received_at
    doc = {"display_name": call.body["display_name"], "metadata": call.body.get("metadata") or {},
           "created_at": now, "updated_at": now, "archived_at": None}
    return JsonReply(render_vault(store_of(call).insert("vault", doc, prefix="vlt_")))


def retrieve_vault(call: Call) -> Reply:
    return JsonReply(render_vault(_vault(call)))


def update_vault(call: Call) -> Reply:
    vault = _vault(call)
    return JsonReply(render_vault(_patch(call, "vault", vault, vault["id"], ("display_name",))))


def list_vaults(call: Call) -> Reply:
    return JsonReply(_listed(call, "vault", "", render_vault))


def archive_vault(call: Call) -> Reply:
    return JsonReply(render_vault(archive_record(call, "vault", _vault(call))))


def delete_vault(call: Call) -> Reply:
    vault = _vault(call)
    delete_with_children(call, "vault", vault, "credential")
    return JsonReply({"id": vault["id"], "type": "vault_deleted"})


def create_credential(call: Call) -> Reply:
    vault, now = _vault(call), call.received_at
    doc = {"vault_id": vault["id"], "auth": public_auth(call.body["auth"]),
           "display_name": call.body.get("display_name"), "metadata": call.body.get("metadata") or {},
           "created_at": now, "updated_at": now, "archived_at": None}
    return JsonReply(render_credential(store_of(call).insert("credential", doc, prefix="vcrd_", parent=vault["id"])))


def retrieve_credential(call: Call) -> Reply:
    return JsonReply(render_credential(_credential(call)))


def update_credential(call: Call) -> Reply:
    credential = _credential(call)
    updated = _patch(call, "credential", credential, credential["vault_id"], ("display_name",))
    if isinstance(call.body.get("auth"), dict):  # new secrets are accepted and dropped; public fields change
        def change(doc: dict[str, Any]) -> None:
            doc["auth"] = {**doc["auth"], **public_auth({**call.body["auth"], "type": doc["auth"]["type"]})}

        updated = store_of(call).update("credential", credential["id"], change, parent=credential["vault_id"]) \
            or updated
    return JsonReply(render_credential(updated))


def list_credentials(call: Call) -> Reply:
    vault = _vault(call)
    return JsonReply(_listed(call, "credential", vault["id"], render_credential))


def archive_credential(call: Call) -> Reply:
    credential = _credential(call)
    return JsonReply(render_credential(archive_record(call, "credential", credential, credential["vault_id"])))


def delete_credential(call: Call) -> Reply:
    credential = _credential(call)
    store_of(call).delete("credential", credential["id"], parent=credential["vault_id"])
    return JsonReply({"id": credential["id"], "type": "vault_credential_deleted"})


def public_auth(auth: dict[str, Any]) -> dict[str, Any]:
    """The part of a credential's `auth` that may be shown: never a token, secret value or client secret."""
    kind = auth.get("type")
    if kind == "environment_variable":
        location = auth.get("injection_location") or {}
        networking = auth.get("networking") or {"type": "unrestricted"}
        return {"type": kind, "secret_name": auth.get("secret_name", ""),
                "injection_location": {"body": bool(location.get("body", False)),
                                       "header": bool(location.get("header", True))},
                "networking": ({"type": "limited", "allowed_hosts": list(networking.get("allowed_hosts") or [])}
                               if networking.get("type") == "limited" else {"type": "unrestricted"})}
    public: dict[str, Any] = {"type": kind, "mcp_server_url": auth.get("mcp_server_url", "")}
    if kind == "mcp_oauth":
        public["expires_at"] = auth.get("expires_at")
        refresh = auth.get("refresh")
        public["refresh"] = None if not isinstance(refresh, dict) else {
            "client_id": refresh.get("client_id", ""), "token_endpoint": refresh.get("token_endpoint", ""),
            "scope": refresh.get("scope"), "resource": refresh.get("resource"),
            "token_endpoint_auth": {"type": (refresh.get("token_endpoint_auth") or {}).get("type", "none")}}
    return public


def render_vault(doc: dict[str, Any]) -> dict[str, Any]:
    return {"type": "vault", "id": doc["id"], "display_name": doc["display_name"], "metadata": doc["metadata"],
            **_stamps(doc)}


def render_credential(doc: dict[str, Any]) -> dict[str, Any]:
    return {"type": "vault_credential", "id": doc["id"], "vault_id": doc["vault_id"], "auth": doc["auth"],
            "display_name": doc["display_name"], "metadata": doc["metadata"], **_stamps(doc)}


def _stamps(doc: dict[str, Any]) -> dict[str, Any]:
    return {"created_at": rfc3339(doc["created_at"]), "updated_at": rfc3339(doc["updated_at"]),
            "archived_at": rfc3339(doc["archived_at"])}


def _patch(call: Call, kind: str, record: dict[str, Any], parent: str, fields: tuple[str, ...]) -> dict[str, Any]:
    parent = "" if kind == "vault" else parent

    def change(doc: dict[str, Any]) -> None:
        for name in fields:
            if call.body.get(name) is not None:
                doc[name] = call.body[name]
        if isinstance(call.body.get("metadata"), dict):
            doc["metadata"] = merged_metadata(doc["metadata"], call.body["metadata"])
        doc["updated_at"] = call.received_at

    return store_of(call).update(kind, record["id"], change, parent=parent) or record


def _listed(call: Call, kind: str, parent: str, render: Any) -> dict[str, Any]:
    archived = call.query.get("include_archived") in (True, "true")
    page = fetch(store_of(call), kind, call.query, parent=parent, where=None if archived else {"archived_at": [None]})
    return {"data": [render(doc) for doc in page.items], "next_page": next_token(page)}


def _vault(call: Call) -> dict[str, Any]:
    return stored(call, "vault", "vault_id", "Vault")


def _credential(call: Call) -> dict[str, Any]:
    return stored_child(call, "credential", "credential_id", _vault(call), "Credential")

"""Organization webhook endpoints (admin routes), and the outbox that signs and sends their events.

The signing secret is shown once, on create and on regenerate; other answers leave it out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.replies import JsonReply, Reply
from .paging import id_page
from .services import open_services, store_of, stored
from .stamps import rfc3339
from .webhook_outbox import Outbox, new_signing_secret

if TYPE_CHECKING:
    from ..state import AppState


def outbox_of(state: AppState) -> Outbox:
    """The app's one outbox (made on first use, cancelled at shutdown)."""
    if state.webhooks is None:
        state.webhooks = Outbox(open_services(state), state.config.organization_id)
        state.closers.append(state.webhooks.close)
    return state.webhooks  # type: ignore[no-any-return]


def emit(call: Call, event_type: str, object_id: str) -> None:
    """Send `event_type` about `object_id` to the endpoints that want it (no-op when none is registered)."""
    if call.state.webhooks is not None or store_of(call).count("webhook_endpoint"):
        outbox_of(call.state).emit(event_type, object_id)


def handlers(state: AppState) -> dict[str, Any]:
    outbox_of(state)
    return {
        "beta_organization_webhooks_create": create_endpoint, "beta_organization_webhooks_list": list_endpoints,
        "beta_organization_webhooks_retrieve": retrieve_endpoint,
        "beta_organization_webhooks_update": update_endpoint,
        "beta_organization_webhooks_delete": delete_endpoint,
        "beta_organization_webhooks_regenerate_signing_secret": regenerate_secret,
    }


def create_endpoint(call: Call) -> Reply:
    body, now = call.body, call.received_at
    doc = {"url": body["url"], "enabled_events": list(body["enabled_events"]), "name": body.get("name") or "",
           "description": body.get("description") or "", "state": "enabled", "disabled_reason": "",
           "signing_secret": new_signing_secret(), "created_at": now, "updated_at": now}
    endpoint = store_of(call).insert("webhook_endpoint", doc, prefix="whep_")
    return JsonReply({**render_endpoint(endpoint), "signing_secret": endpoint["signing_secret"]})


def list_endpoints(call: Call) -> Reply:
    return JsonReply(id_page(store_of(call), "webhook_endpoint", call.query, render_endpoint))


def retrieve_endpoint(call: Call) -> Reply:
    return JsonReply(render_endpoint(_endpoint(call)))


def update_endpoint(call: Call) -> Reply:
    endpoint, body = _endpoint(call), call.body

    def change(doc: dict[str, Any]) -> None:
        for name in ("url", "name", "description", "enabled_events", "state"):
            if body.get(name) is not None:
                doc[name] = body[name]
        if body.get("state") == "enabled":
            doc["disabled_reason"] = ""
        doc["updated_at"] = call.received_at

    return JsonReply(render_endpoint(store_of(call).update("webhook_endpoint", endpoint["id"], change) or endpoint))


def delete_endpoint(call: Call) -> Reply:
    endpoint = _endpoint(call)
    store_of(call).delete("webhook_endpoint", endpoint["id"])
    return JsonReply({"id": endpoint["id"], "type": "webhook_endpoint_deleted"})


def regenerate_secret(call: Call) -> Reply:
    endpoint, secret = _endpoint(call), new_signing_secret()

    def change(doc: dict[str, Any]) -> None:
        doc.update(signing_secret=secret, updated_at=call.received_at)

    store_of(call).update("webhook_endpoint", endpoint["id"], change)
    return JsonReply({"signing_secret": secret})


def render_endpoint(doc: dict[str, Any]) -> dict[str, Any]:
    return {"id": doc["id"], "url": doc["url"], "name": doc["name"], "description": doc["description"],
            "enabled_events": doc["enabled_events"], "state": doc["state"],
            "disabled_reason": doc["disabled_reason"] or "",  # the schema: always a string
            "created_at": rfc3339(doc["created_at"]), "updated_at": rfc3339(doc["updated_at"])}


def _endpoint(call: Call) -> dict[str, Any]:
    return stored(call, "webhook_endpoint", "webhook_endpoint_id", "Webhook endpoint")

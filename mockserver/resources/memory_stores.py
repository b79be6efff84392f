"""Managed Agents memory stores: memories addressed by path, and an immutable version per change.

A path is unique in its store (a second create of it is a 409). Updates and deletes may carry the
content's SHA-256 as a precondition, and a stale one is a 409, which the SDK's memory sync relies
on. Each create, modify and delete adds a memory version; redacting one clears its content.
The `basic` view leaves content out (the default for lists); `full` carries it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.errors import ApiError
from ..http.replies import JsonReply, Reply
from .agents import merged_metadata
from .paging import fetch, next_token, offset_page
from .services import archive_record, delete_with_children, store_of, stored, stored_child
from .stamps import rfc3339

if TYPE_CHECKING:
    from ..state import AppState

ACTOR = {"type": "api_actor", "api_key_id": "apikey_mock"}


def handlers(state: AppState) -> dict[str, Any]:
    return {
        "beta_memory_stores_create": create_store, "beta_memory_stores_retrieve": retrieve_store,
        "beta_memory_stores_update": update_store, "beta_memory_stores_list": list_stores,
        "beta_memory_stores_archive": archive_store, "beta_memory_stores_delete": delete_store,
        "beta_memory_stores_memories_create": create_memory, "beta_memory_stores_memories_retrieve": retrieve_memory,
        "beta_memory_stores_memories_update": update_memory, "beta_memory_stores_memories_list": list_memories,
        "beta_memory_stores_memories_delete": delete_memory,
        "beta_memory_stores_memory_versions_list": list_versions,
        "beta_memory_stores_memory_versions_retrieve": retrieve_version,
        "beta_memory_stores_memory_versions_redact": redact_version,
    }


# -- stores ---------------------------------------------------------------------------------------

def create_store(call: Call) -> Reply:
    now = call.received_at
    doc = {"name": call.body["name"], "description": call.body.get("description") or "",
           "metadata": call.body.get("metadata") or {}, "created_at": now, "updated_at": now, "archived_at": None}
    return JsonReply(render_store(store_of(call).insert("memory_store", doc, prefix="memstore_")))


def retrieve_store(call: Call) -> Reply:
    return JsonReply(render_store(_store(call)))


def update_store(call: Call) -> Reply:
    record, body = _store(call), call.body

    def change(doc: dict[str, Any]) -> None:
        for name in ("name", "description"):
            if body.get(name) is not None:
                doc[name] = body[name]
        if isinstance(body.get("metadata"), dict):
            doc["metadata"] = merged_metadata(doc["metadata"], body["metadata"])
        doc["updated_at"] = call.received_at

    return JsonReply(render_store(store_of(call).update("memory_store", record["id"], change) or record))


def list_stores(call: Call) -> Reply:
    archived = call.query.get("include_archived") in (True, "true")
    page = fetch(store_of(call), "memory_store", call.query, where=None if archived else {"archived_at": [None]})
    return JsonReply({"data": [render_store(doc) for doc in page.items], "next_page": next_token(page)})


def archive_store(call: Call) -> Reply:
    return JsonReply(render_store(archive_record(call, "memory_store", _store(call))))


def delete_store(call: Call) -> Reply:
    record = _store(call)
    delete_with_children(call, "memory_store", record, "memory", "memory_version")
    return JsonReply({"id": record["id"], "type": "memory_store_deleted"})


def render_store(doc: dict[str, Any]) -> dict[str, Any]:
    return {"type": "memory_store", "id": doc["id"], "name": doc["name"], "description": doc["description"],
            "metadata": doc["metadata"], "created_at": rfc3339(doc["created_at"]),
            "updated_at": rfc3339(doc["updated_at"]), "archived_at": rfc3339(doc["archived_at"])}


# -- memories -------------------------------------------------------------------------------------

def create_memory(call: Call) -> Reply:
    record, store, now = _store(call), store_of(call), call.received_at
    path, content = call.body["path"], call.body.get("content") or ""
    with store.transaction():
        if store.all("memory", parent=record["id"], where={"path": [path]}):
            raise ApiError("conflict_error", f"A memory already exists at path {path}")
        memory = store.insert("memory", {"memory_store_id": record["id"], "path": path, "created_at": now,
                                         **_content(content, now)}, prefix="mem_", parent=record["id"])
        memory = _versioned(call, memory, "created")
    return JsonReply(render_memory(memory, _view(call, "full")))


def retrieve_memory(call: Call) -> Reply:
    return JsonReply(render_memory(_memory(call), _view(call, "full")))


def update_memory(call: Call) -> Reply:
    memory, body, store = _memory(call), call.body, store_of(call)
    _check_precondition((body.get("precondition") or {}).get("content_sha256"), memory)
    path = body.get("path")
    with store.transaction():
        if path is not None and path != memory["path"] and \
                store.all("memory", parent=memory["memory_store_id"], where={"path": [path]}):
            raise ApiError("conflict_error", f"A memory already exists at path {path}")

        def change(doc: dict[str, Any]) -> None:
            if path is not None:
                doc["path"] = path
            if body.get("content") is not None:
                doc.update(_content(body["content"], call.received_at))
            doc["updated_at"] = call.received_at

        updated = store.update("memory", memory["id"], change, parent=memory["memory_store_id"]) or memory
        updated = _versioned(call, updated, "modified")
    return JsonReply(render_memory(updated, _view(call, "full")))


def list_memories(call: Call) -> Reply:
    record = _store(call)
    prefix = call.query.get("path_prefix") or ""
    memories = [doc for doc in store_of(call).all("memory", parent=record["id"]) if doc["path"].startswith(prefix)]
    memories.sort(key=lambda doc: doc["path"])
    items = _within_depth(memories, prefix, call.query.get("depth"), _view(call, "basic"))
    return JsonReply(offset_page(items, call.query))


def delete_memory(call: Call) -> Reply:
    memory, store = _memory(call), store_of(call)
    _check_precondition(call.query.get("expected_content_sha256"), memory)
    with store.transaction():
        store.delete("memory", memory["id"], parent=memory["memory_store_id"])
        _add_version(call, memory, "deleted", content=None)
    return JsonReply({"id": memory["id"], "type": "memory_deleted"})


def render_memory(doc: dict[str, Any], view: str) -> dict[str, Any]:
    return {"type": "memory", "id": doc["id"], "memory_store_id": doc["memory_store_id"], "path": doc["path"],
            "content": doc["content"] if view == "full" else None, "content_sha256": doc["content_sha256"],
            "content_size_bytes": doc["content_size_bytes"], "memory_version_id": doc["memory_version_id"],
            "created_at": rfc3339(doc["created_at"]), "updated_at": rfc3339(doc["updated_at"])}


# -- versions -------------------------------------------------------------------------------------

def list_versions(call: Call) -> Reply:
    record = _store(call)
    where = {"memory_id": [call.query["memory_id"]]} if call.query.get("memory_id") else None
    if call.query.get("operation"):
        where = {**(where or {}), "operation": [call.query["operation"]]}
    page = fetch(store_of(call), "memory_version", call.query, parent=record["id"], where=where)
    view = _view(call, "basic")
    return JsonReply({"data": [render_version(doc, view) for doc in page.items], "next_page": next_token(page)})


def retrieve_version(call: Call) -> Reply:
    return JsonReply(render_version(_version(call), _view(call, "full")))


def redact_version(call: Call) -> Reply:
    version = _version(call)

    def redact(doc: dict[str, Any]) -> None:
        doc.update(content=None, redacted_at=doc.get("redacted_at") or call.received_at, redacted_by=ACTOR)

    redacted = store_of(call).update("memory_version", version["id"], redact, parent=version["memory_store_id"])
    return JsonReply(render_version(redacted or version, "full"))


def render_version(doc: dict[str, Any], view: str) -> dict[str, Any]:
    return {"type": "memory_version", "id": doc["id"], "memory_id": doc["memory_id"],
            "memory_store_id": doc["memory_store_id"], "operation": doc["operation"], "path": doc["path"],
            "content": doc["content"] if view == "full" else None, "content_sha256": doc["content_sha256"],
            "content_size_bytes": doc["content_size_bytes"], "created_by": ACTOR,
            "created_at": rfc3339(doc["created_at"]), "redacted_at": rfc3339(doc.get("redacted_at")),
            "redacted_by": doc.get("redacted_by")}


def _versioned(call: Call, memory: dict[str, Any], operation: str) -> dict[str, Any]:
    version = _add_version(call, memory, operation, content=memory["content"])

    def point(doc: dict[str, Any]) -> None:
        doc["memory_version_id"] = version["id"]

    return store_of(call).update("memory", memory["id"], point, parent=memory["memory_store_id"]) or memory


def _add_version(call: Call, memory: dict[str, Any], operation: str, content: str | None) -> dict[str, Any]:
    doc = {"memory_id": memory["id"], "memory_store_id": memory["memory_store_id"], "operation": operation,
           "path": memory["path"], "content": content,
           "content_sha256": memory["content_sha256"] if content is not None else None,
           "content_size_bytes": memory["content_size_bytes"] if content is not None else None,
           "created_at": call.received_at, "redacted_at": None, "redacted_by": None}
    return store_of(call).insert("memory_version", doc, prefix="memver_", parent=memory["memory_store_id"])


def _content(content: str, now: float) -> dict[str, Any]:
    raw = content.encode("utf-8", "surrogatepass")
    return {"content": content, "content_sha256": hashlib.sha256(raw).hexdigest(), "content_size_bytes": len(raw),
            "updated_at": now, "memory_version_id": ""}


def _within_depth(memories: list[dict[str, Any]], prefix: str, depth: Any, view: str) -> list[dict[str, Any]]:
    """Memories at most `depth` path segments below the prefix; deeper ones fold into `memory_prefix` items."""
    if not isinstance(depth, int) or depth <= 0:
        return [render_memory(doc, view) for doc in memories]
    items: list[dict[str, Any]] = []
    folded: set[str] = set()
    for doc in memories:
        parts = doc["path"][len(prefix):].strip("/").split("/")
        if len(parts) <= depth:
            items.append(render_memory(doc, view))
            continue
        folder = prefix.rstrip("/") + "/" + "/".join(parts[:depth]) + "/"
        if folder not in folded:
            folded.add(folder)
            items.append({"type": "memory_prefix", "path": folder})
    return items


def _check_precondition(expected: Any, memory: dict[str, Any]) -> None:
    if expected and expected != memory["content_sha256"]:
        raise ApiError("conflict_error", "The memory's content_sha256 does not match the precondition")


def _view(call: Call, default: str) -> str:
    return call.query.get("view") or default


def _store(call: Call) -> dict[str, Any]:
    return stored(call, "memory_store", "memory_store_id", "Memory store")


def _memory(call: Call) -> dict[str, Any]:
    return stored_child(call, "memory", "memory_id", _store(call), "Memory")


def _version(call: Call) -> dict[str, Any]:
    return stored_child(call, "memory_version", "memory_version_id", _store(call), "Memory version")

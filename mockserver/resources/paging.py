"""The API's two list styles: id cursors (`before_id`/`after_id` -> first_id/last_id) and page tokens."""

from __future__ import annotations

import base64
from typing import Any, Callable, Mapping, Sequence

from ..http.errors import invalid_request
from ..store import Filters, Page, Store, UnknownCursor

Render = Callable[[dict[str, Any]], dict[str, Any]]


def id_page(store: Store, kind: str, query: Mapping[str, Any], render: Render, *, parent: str = "",
            where: Filters | None = None, default_limit: int = 20) -> dict[str, Any]:
    """A SyncPage: `{data, has_more, first_id, last_id}`, newest first."""
    page = fetch(store, kind, query, parent=parent, where=where, default_limit=default_limit)
    ids = [doc["id"] for doc in page.items]
    return {"data": [render(doc) for doc in page.items], "has_more": page.has_more,
            "first_id": ids[0] if ids else None, "last_id": ids[-1] if ids else None}


def fetch(store: Store, kind: str, query: Mapping[str, Any], *, parent: str = "", where: Filters | None = None,
          default_limit: int = 20) -> Page:
    token = query.get("page")
    try:
        return store.page(kind, parent=parent, limit=page_size(query, default_limit),
                          after_id=query.get("after_id"), before_id=query.get("before_id"),
                          after_seq=decode_token(token) if token else None, where=where)
    except UnknownCursor as missing:
        name = "after_id" if query.get("after_id") == str(missing) else "before_id"
        raise invalid_request(f"{name}: no object found with id '{missing}'") from None


def list_page(items: Sequence[dict[str, Any]], query: Mapping[str, Any], default_limit: int = 20) -> dict[str, Any]:
    """The same SyncPage over an in-memory list that is already in list order."""
    ids = [item["id"] for item in items]
    limit = page_size(query, default_limit)
    start, stop = 0, len(items)
    for name in ("after_id", "before_id"):
        cursor = query.get(name)
        if cursor is not None and cursor not in ids:
            raise invalid_request(f"{name}: no object found with id '{cursor}'")
    if query.get("after_id") is not None:
        start = ids.index(query["after_id"]) + 1
    elif query.get("before_id") is not None:
        stop = ids.index(query["before_id"])
        start = max(0, stop - limit)
        data = list(items[start:stop])
        return _sync_page(data, has_more=start > 0)
    data = list(items[start:start + limit])
    return _sync_page(data, has_more=start + limit < stop)


def page_size(query: Mapping[str, Any], default_limit: int) -> int:
    """`limit`, where some lists state no bound: 0 (or less) means the default page size."""
    limit = query.get("limit")
    return limit if isinstance(limit, int) and limit > 0 else default_limit


def _sync_page(data: list[dict[str, Any]], has_more: bool) -> dict[str, Any]:
    return {"data": data, "has_more": has_more, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None}


def next_token(page: Page) -> str | None:
    """The opaque `next_page` value for continuing after this page, or None at the end."""
    return encode_token(page.last_seq) if page.has_more and page.last_seq is not None else None


def encode_token(position: int) -> str:
    return "page_" + base64.urlsafe_b64encode(f"after:{position}".encode()).decode().rstrip("=")


def decode_token(token: str) -> int:
    try:
        raw = token.removeprefix("page_")
        kind, _, position = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().partition(":")
        if kind != "after":
            raise ValueError
        return int(position)
    except ValueError:
        raise invalid_request(f"page: invalid page token '{token}'") from None


def offset_page(items: Sequence[Any], query: Mapping[str, Any], default_limit: int = 100) -> dict[str, Any]:
    """`{data, next_page}` over an in-memory list already in list order; the token is an offset."""
    token = query.get("page")
    try:
        start = max(0, int(str(token).removeprefix("page_"))) if token else 0
    except ValueError:
        raise invalid_request(f"page: invalid page token '{token}'") from None
    limit = page_size(query, default_limit)
    more = start + limit < len(items)
    return {"data": list(items[start:start + limit]), "next_page": f"page_{start + limit}" if more else None}

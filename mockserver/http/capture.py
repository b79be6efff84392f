"""What the client received, kept for the journal: status, headers, body and when each chunk left.

Only used while the journal records, so a plain mock pays nothing for it. The capture wraps the
innermost `send` (a stream fault wraps the capture), so a cut or stalled stream is kept as the
client saw it. `response_view` turns a capture into the journal's `response` field: JSON parsed,
server-sent events split into a timeline with each event's offset from the start of the reply.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from .asgi import Send
from .sse import sse_field


MAX_BODY = 64 * 1024  # bytes kept per response; the rest is counted, not stored
_TEXTUAL = ("text/", "application/json", "application/x-jsonl", "application/x-ndjson")
# Headers worth showing; the rate-limit family is left out (GET /_mock/state shows the buckets).
_KEPT_HEADERS = frozenset({b"content-type", b"request-id", b"retry-after", b"retry-after-ms", b"x-should-retry"})


class ResponseCapture:
    """A `send` wrapper that remembers the response as it goes out."""

    __slots__ = ("_send", "_started", "status", "raw_headers", "chunks", "size")

    def __init__(self, send: Send) -> None:
        self._send = send
        self._started = time.perf_counter()
        self.status = 0
        self.raw_headers: Any = ()
        self.chunks: list[tuple[float, bytes]] = []  # (seconds since the reply began, bytes kept)
        self.size = 0

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.raw_headers = message.get("headers", ())
        elif message.get("body"):
            body = message["body"]
            if self.size < MAX_BODY:
                self.chunks.append((time.perf_counter() - self._started, body[:MAX_BODY - self.size]))
            self.size += len(body)
        await self._send(message)

    def summary(self) -> dict[str, Any]:
        """JSON-ready raw form for the journal (parsed only when someone reads it)."""
        kept = {k.decode("latin-1"): v.decode("latin-1") for k, v in self.raw_headers if k in _KEPT_HEADERS}
        textual = kept.get("content-type", "").startswith(_TEXTUAL)  # a download keeps its size only
        chunks = [[round(at * 1000, 3), chunk.decode("utf-8", "replace")] for at, chunk in self.chunks if textual]
        return {"status": self.status, "size": self.size, "headers": kept, "chunks": chunks}


def response_view(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """The journal's `response`: status, the interesting headers, and a body or an event timeline."""
    if not raw:
        return None
    headers = raw.get("headers", {})
    view: dict[str, Any] = {"status": raw["status"], "size": raw["size"], "headers": headers}
    chunks = raw.get("chunks", [])
    text = "".join(chunk for _, chunk in chunks)
    view["truncated"] = len(text.encode()) < raw["size"]
    content_type = headers.get("content-type", "")
    if content_type.startswith("text/event-stream"):
        view["events"] = sse_timeline(chunks)
    elif content_type.startswith("application/json") and not view["truncated"]:
        view["body"] = _json_or_text(text)
    elif content_type.startswith(_TEXTUAL) or not raw["size"]:
        view["body"] = text
    else:
        view["body"] = f"({raw['size']} bytes of {content_type or 'unknown type'})"
    return view


def sse_timeline(chunks: list[list[Any]]) -> list[dict[str, Any]]:
    """Events in the order sent, each with the offset (ms) of the write that completed it."""
    events: list[dict[str, Any]] = []
    pending = ""
    for offset, chunk in chunks:
        pending += chunk
        *complete, pending = pending.split("\n\n")
        events.extend(_event(block, offset) for block in complete if block.strip())
    return events


def _event(block: str, offset: float) -> dict[str, Any]:
    name, data = None, []
    for line in block.split("\n"):
        field, value = sse_field(line)
        if field == "event":
            name = value
        elif field == "data":
            data.append(value)
    return {"offset_ms": offset, "event": name, "data": _json_or_text("\n".join(data))}


def _json_or_text(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return text

"""Deliberately broken mocks: an ASGI wrapper that rewrites the mock's responses before they leave."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from mockserver.contract import parse_sse


@dataclass(slots=True)
class Exchange:
    """One finished response, open to rewriting: status, raw headers, whole body."""

    method: str
    path: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v.decode() for k, v in self.headers if k.decode().lower() == name), None)

    def drop_header(self, name: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.decode().lower() != name]

    def set_header(self, name: str, value: str) -> None:
        self.drop_header(name)
        self.headers.append((name.encode(), value.encode()))

    @property
    def is_stream(self) -> bool:
        return (self.header("content-type") or "").startswith("text/event-stream")

    def edit_json(self, edit: Callable[[Any], None]) -> None:
        data = json.loads(self.body)
        edit(data)
        self.body = json.dumps(data).encode()

    def edit_events(self, edit: Callable[[list[tuple[str | None, Any]]], list[tuple[str | None, Any]]]) -> None:
        events = [(e.name, e.json()) for e in parse_sse(self.body).events]
        self.body = b"".join((f"event: {name}\n".encode() if name else b"") + b"data: " + json.dumps(data).encode()
                             + b"\n\n" for name, data in edit(events))


Breakage = Callable[[Exchange], None]


def breaking(app: Any, breakage: Breakage) -> Any:
    """`app` with every HTTP response passed through `breakage` (HTTP only; no lifespan)."""

    async def broken(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await app(scope, receive, capture)
        exchange = Exchange(scope["method"], scope["path"], start["status"], list(start.get("headers", [])),
                            b"".join(chunks))
        breakage(exchange)
        exchange.set_header("content-length", str(len(exchange.body)))
        await send({"type": "http.response.start", "status": exchange.status, "headers": exchange.headers})
        await send({"type": "http.response.body", "body": exchange.body})

    return broken

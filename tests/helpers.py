"""Small helpers shared by the project's tests."""

from __future__ import annotations

from typing import Any

import httpx

from mockserver.app import create_app
from mockserver.config import Config

KEY = "sk-ant-api03-test-key"
ADMIN_KEY = "sk-ant-admin01-test-key"
CURRENT = "2026-10-21"
LEGACY = "2023-06-01"
MODEL = "claude-sonnet-4-6"

MESSAGE_BODY: dict[str, Any] = {
    "model": MODEL,
    "max_tokens": 64,
    "messages": [{"role": "user", "content": "Hello there"}],
}


def asgi_client(config: Config | None = None, **overrides: Any) -> httpx.Client:
    """A client that talks to a fresh app in-process (no socket): for gate-level tests."""
    from dataclasses import replace

    app = create_app(replace(config or Config(), **overrides))
    return httpx.Client(transport=_SyncASGI(app), base_url="http://localhost")  # /_mock wants a loopback Host


def headers(version: str = CURRENT, key: str | None = KEY, **extra: str) -> dict[str, str]:
    result = {"anthropic-version": version, **{k.replace("_", "-"): v for k, v in extra.items()}}
    if key is not None:
        result["x-api-key"] = key
    return result


def assert_api_error(response: httpx.Response, status: int, error_type: str, message: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == "error"
    assert body["error"]["type"] == error_type
    if message is not None:
        assert body["error"]["message"] == message
    request_id = response.headers["request-id"]
    assert request_id.startswith("req_")
    assert body["request_id"] == request_id
    return body


class _SyncASGI(httpx.BaseTransport):
    """httpx's ASGITransport is async-only; run it on a private loop for synchronous tests."""

    def __init__(self, app: Any) -> None:
        import asyncio

        self._transport = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            response = await self._transport.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return self._loop.run_until_complete(call())

"""Cross-origin access, so browser code (the TypeScript SDK's `dangerouslyAllowBrowser`) can call the mock."""

from __future__ import annotations

from typing import Any

from .replies import BytesReply

RawHeaders = list[tuple[bytes, bytes]]

_EXPOSED = b"request-id, retry-after, retry-after-ms, x-should-retry, anthropic-organization-id"


def allow_origin(scope: dict[str, Any]) -> RawHeaders:
    """Headers that let a browser read the response, when the request came from a page."""
    for name, value in scope["headers"]:
        if name == b"origin":
            return [(b"access-control-allow-origin", value), (b"access-control-expose-headers", _EXPOSED),
                    (b"vary", b"origin")]
    return []


def preflight(scope: dict[str, Any], methods: list[str]) -> BytesReply:
    """The answer to an OPTIONS preflight: the route's methods, and any request header."""
    requested = next((v for n, v in scope["headers"] if n == b"access-control-request-headers"), b"*")
    return BytesReply(b"", "text/plain", status=204, headers={
        "access-control-allow-methods": ", ".join(sorted({*methods, "OPTIONS"})),
        "access-control-allow-headers": requested.decode("latin-1"),
        "access-control-max-age": "86400",
    })

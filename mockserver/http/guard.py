"""Who may use the mock's own routes under /_mock: an ASGI guard any /_mock app can sit behind.

Without `--control-token`: loopback clients only, and the `Host` must be a loopback name or
address (or the configured `--host`), so a web page cannot reach it through DNS rebinding.
With a token: any client and host, with `Authorization: Bearer TOKEN` (compared in constant
time, as bytes). Always: a request carrying a foreign `Origin` is refused (a page on another
site), and a body must be JSON or YAML (the content types a page can send to another site
without asking first are refused). Every answer carries a `request-id`; refusals are ApiErrors,
rendered in the API's error envelope.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import Any
from urllib.parse import urlsplit

import orjson

from .asgi import ASGIApp, Scope, Send
from .errors import ApiError
from .request_ids import RequestIds

log = logging.getLogger("mockserver")

REQUEST_ID_KEY = "mockserver.request_id"  # where the guard leaves the request id in the scope
BODY_TYPES = frozenset({"application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_IN_PROCESS_CLIENTS = frozenset({"testclient"})  # starlette's TestClient: no socket, no browser
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}
_NO_TOKEN = "control API: send Authorization: Bearer <control token>"
_REMOTE = "control API: loopback clients only; start the server with --control-token to allow others"


class ControlGuard:
    """Wraps an ASGI app serving /_mock routes. `open_paths` skip every check (health);
    `token_free_paths` skip only the token (static pages that hold no data and then ask for it)."""

    def __init__(self, app: ASGIApp, *, token: str | None, host: str, ids: RequestIds,
                 open_paths: frozenset[str] = frozenset({"/_mock/health"}),
                 token_free_paths: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.ids = ids
        self.open_paths = open_paths
        self.token_free_paths = token_free_paths
        self._token = token.encode() if token is not None else None
        self._hosts = frozenset({*_LOOPBACK_NAMES, host.lower().strip("[]")})

    async def __call__(self, scope: Scope, receive: Any, send: Send) -> None:
        request_id = self.ids.next()
        scope[REQUEST_ID_KEY] = request_id
        stamped = _stamping(send, request_id.encode())
        if scope["path"] not in self.open_paths:
            try:
                self.check(scope)
            except ApiError as refusal:
                await send_refusal(stamped, refusal, request_id)
                return
        started = False

        async def watched(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await stamped(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:  # a bug of ours: log it, and answer in the envelope if nothing was sent yet
            log.exception("unhandled error in %s %s", scope["method"], scope["path"])
            if not started:
                await send_refusal(stamped, ApiError("api_error"), request_id)

    def check(self, scope: Scope) -> None:
        """Raise ApiError unless this request may use the control API."""
        headers = _headers(scope)
        if self._token is not None:
            if scope["path"] not in self.token_free_paths:
                self._check_token(headers)
        else:
            self._check_local(scope, headers)
        _check_origin(headers)
        _check_body_type(scope["method"], headers)

    def _check_token(self, headers: dict[bytes, bytes]) -> None:
        scheme, _, given = headers.get(b"authorization", b"").partition(b" ")
        if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), self._token):  # type: ignore[arg-type]
            raise ApiError("authentication_error", _NO_TOKEN)

    def _check_local(self, scope: Scope, headers: dict[bytes, bytes]) -> None:
        client = scope.get("client")  # None: a Unix socket, local by nature
        if client is not None:
            if str(client[0]) in _IN_PROCESS_CLIENTS:
                return
            if not _is_loopback(str(client[0])):
                raise ApiError("permission_error", _REMOTE)
        host = _host_name(headers.get(b"host", b"").decode("latin-1"))
        if host and not (host in self._hosts or _is_loopback(host) or host.endswith(".localhost")):  # no Host: HTTP/1.0
            raise ApiError("permission_error",
                          "control API: the Host header must name this machine (localhost, 127.0.0.1, ::1 "
                          "or --host); start the server with --control-token to allow other names")


async def send_refusal(send: Send, refusal: ApiError, request_id: str) -> None:
    body = orjson.dumps(refusal.envelope(request_id))
    await send({"type": "http.response.start", "status": refusal.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _stamping(send: Send, request_id: bytes) -> Send:
    async def stamped(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), (b"request-id", request_id)]}
        await send(message)

    return stamped


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {name.lower(): value for name, value in scope["headers"]}


def _check_origin(headers: dict[bytes, bytes]) -> None:
    """A browser names the page's site in `Origin`; only a page served by this server may call."""
    origin = headers.get(b"origin")
    if origin is None:
        return
    if _origin_authority(origin.decode("latin-1")) != _authority(headers.get(b"host", b"").decode("latin-1")):
        raise ApiError("permission_error", "control API: requests from another site's pages are refused "
                                               "(the Origin header names a different host)")


def _check_body_type(method: str, headers: dict[bytes, bytes]) -> None:
    has_body = headers.get(b"content-length", b"0").strip() not in (b"0", b"") or b"transfer-encoding" in headers
    content_type = headers.get(b"content-type")
    if content_type is None and not has_body:
        return
    media = (content_type or b"").split(b";")[0].strip().lower().decode("latin-1")
    if media not in BODY_TYPES:
        raise ApiError("permission_error",
                      f"control API: {method} bodies must be application/json or application/yaml")


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _host_name(host: str) -> str:
    """`Host` without its port: `[::1]:4010` -> `::1`, `localhost:4010` -> `localhost`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    return host.rpartition(":")[0] if host.count(":") == 1 else host


def _authority(host: str, scheme: str = "http") -> str:
    """`host:port` with the scheme's default port made explicit, for comparing."""
    host = host.strip().lower()
    name = _host_name(host)
    port = host.rpartition("]")[2] if host.startswith("[") else (host.rpartition(":")[2] if ":" in host else "")
    port = port.lstrip(":") or str(_DEFAULT_PORTS.get(scheme, 80))
    return f"{name}:{port}"


def _origin_authority(origin: str) -> str | None:
    """`null` and anything that is not scheme://host[:port] match nothing."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname:
        return None
    return f"{parts.hostname.lower()}:{port or _DEFAULT_PORTS.get(parts.scheme.lower(), 80)}"

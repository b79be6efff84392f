"""Connection-level limits uvicorn does not enforce: header size and header/body read timeouts.

uvicorn's httptools protocol (the `uvicorn[standard]` stack) accepts a header of any size (llhttp
buffers it whole) and has no read timeout: a client that never finishes its headers, or stops in
the middle of a body, keeps its connection (and memory) forever. This subclass adds:

* a cap on the request line plus headers: past it the client gets a 431 in the Anthropic
  envelope and the connection closes, after at most one more read (256 KB) was buffered;
* a header timeout: the request line and headers must arrive within `header_timeout` seconds
  of the connection opening (or of the first byte of a following keep-alive request);
* a body timeout: once the headers are in, a body that stops flowing for `body_timeout`
  seconds closes the connection (the handler then sees a disconnect). Time while the server
  itself paused reading does not count.

One timer per connection checks these lazily, so a request costs a few attribute writes.
The settings come from the app's Config: uvicorn hands a protocol only its own Config, whose
`loaded_app` is our MockApp (possibly wrapped by uvicorn's proxy-headers middleware).
"""

from __future__ import annotations

import asyncio
import importlib.util
from typing import Any

import orjson

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # no httptools: uvicorn_options picks h11 and the class below stays unused
    HttpToolsProtocol = object  # type: ignore[misc,assignment]

from ..config import Config
from .errors import ApiError

PROTOCOL = "mockserver.http.connection:GuardedHttpToolsProtocol"
_STATUS_TEXT = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}
_WEBSOCKET = ("Bad request: WebSocket is not supported; the API is plain HTTP (streams are server-sent events "
              "over an ordinary POST with \"stream\": true).")
_DUPLICATE_HOST = ("Bad request: the Host header appears more than once; send it once "
                   "(RFC 9112 section 3.2 asks servers to refuse such requests with 400).")


def uvicorn_options(config: Config) -> dict[str, Any]:
    """The uvicorn settings that select the guarded protocol (h11 when httptools is missing)."""
    # ws="none": the API speaks no WebSocket, so an upgrade request is answered as the plain HTTP
    # request it also is (a 4xx in the envelope) instead of uvicorn's plain-text 500
    if importlib.util.find_spec("httptools") is None:  # h11 only bounds the header size (a plain 400)
        return {"http": "h11", "h11_max_incomplete_event_size": config.max_header_bytes, "ws": "none"}
    return {"http": PROTOCOL, "ws": "none"}


def _mock_app(app: Any) -> Any:
    for _ in range(8):  # unwrap uvicorn's middleware until our app
        if hasattr(app, "new_request_id"):
            return app
        app = getattr(app, "app", None)
    return None


def _refusal(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The 400 for a request no route should see: two Host headers (which one would the control
    API's guard trust?) or a WebSocket upgrade."""
    hosts = 0
    for name, value in headers:
        if name == b"host":
            hosts += 1
        elif name == b"upgrade" and b"websocket" in value.lower():
            return _WEBSOCKET
    return _DUPLICATE_HOST if hosts > 1 else None


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, config: Any, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._app = _mock_app(self.app)
        settings: Config = self._app.state.config if self._app is not None else Config()
        self._max_header_bytes = settings.max_header_bytes
        self._header_timeout = settings.header_timeout
        self._body_timeout = settings.body_timeout
        self._awaiting_headers = True
        self._header_bytes = 0
        self._message_ended = False
        self._chunk_bytes = 0
        self._oversized = False  # the request is refused before any ASGI cycle: with 431, or `_refusal`
        self._refusal: str | None = None  # a 400's message
        self._header_started: float | None = None  # when this request's first byte came
        self._body_activity: float | None = None  # last body bytes, while a body is expected
        self._watch: asyncio.TimerHandle | None = None

    # -- uvicorn's protocol hooks ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_started = self.loop.time()  # a connection that sends nothing counts too
        self._schedule(self._header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._awaiting_headers and self._header_started is None:
            self._header_started = self.loop.time()
        self._message_ended = False
        self._chunk_bytes = len(data)
        super().data_received(data)
        if self._oversized:
            self._reject_oversized()
        elif (self._awaiting_headers and not self._message_ended and self.parser is not None
                and not self.transport.is_closing()):
            # Headers still incomplete and no message ended in this chunk: it is all header bytes.
            # (A chunk that ends one message and starts the next is not counted: at most one read.)
            self._header_bytes += len(data)
            if self._header_bytes > self._max_header_bytes:
                self._reject_oversized()

    def on_headers_complete(self) -> None:
        # Measured exactly only when this read could have pushed the headers past the limit.
        limit = self._max_header_bytes
        if self._header_bytes + self._chunk_bytes > limit and self._measured() > limit:
            self._oversized = True  # answered once the parser returns; no ASGI cycle starts
            return
        refusal = _refusal(self.headers)
        if refusal is not None:
            self._oversized, self._refusal = True, refusal
            return
        self._awaiting_headers = False
        self._header_started = None
        self._body_activity = self.loop.time()
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self._oversized:
            return
        self._body_activity = self.loop.time()
        super().on_body(body)

    def on_message_complete(self) -> None:
        if self._oversized:
            return
        self._message_ended = True
        self._awaiting_headers = True
        self._header_bytes = 0
        self._body_activity = None
        super().on_message_complete()

    # -- the watch ------------------------------------------------------------------------------

    def _schedule(self, delay: float) -> None:
        self._watch = self.loop.call_later(max(delay, 0.01), self._check)

    def _check(self) -> None:
        self._watch = None
        if self.transport.is_closing():
            return
        now = self.loop.time()
        if self._awaiting_headers and self._header_started is not None:
            left = self._header_started + self._header_timeout - now
            if left <= 0:
                self._header_timed_out()
                return
            self._schedule(min(left, self._body_timeout))
            return
        if self._body_activity is not None and not self.flow.read_paused:
            left = self._body_activity + self._body_timeout - now
            if left <= 0:
                self.transport.close()  # the handler's next receive() reports a disconnect
                return
            self._schedule(min(left, self._header_timeout))
            return
        self._schedule(min(self._header_timeout, self._body_timeout))

    def _header_timed_out(self) -> None:
        if self._header_bytes or self.parser is None:
            self._reject(408, f"Request timeout: the request headers did not arrive within "
                              f"{self._header_timeout:g} s.")
        else:
            self.transport.close()  # nothing sent at all: nobody to answer

    def _measured(self) -> int:
        """The request line and headers as sent, give or take the whitespace around values."""
        return len(self.url) + 14 + sum(len(name) + len(value) + 4 for name, value in self.headers)

    def _unsupported_upgrade_warning(self) -> None:
        """An upgrade is answered as a plain request: nothing to warn about on every one."""

    def _reject_oversized(self) -> None:
        if self._refusal is not None:
            self._reject(400, self._refusal)
            return
        self._reject(431, f"Request header fields too large: the request line and headers "
                          f"must be at most {self._max_header_bytes} bytes.")

    def _reject(self, status: int, message: str) -> None:
        """Answer before any ASGI cycle exists (no scope yet), then close the connection."""
        request_id = self._app.new_request_id() if self._app is not None else "req_unknown"
        error = ApiError("invalid_request_error", message, status=status)
        body = orjson.dumps(error.body(request_id))
        head = (b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n"
                b"request-id: %s\r\nconnection: close\r\n\r\n"
                % (status, _STATUS_TEXT[status], len(body), request_id.encode()))
        self.transport.write(head + body)
        self.transport.close()
        self._awaiting_headers = False

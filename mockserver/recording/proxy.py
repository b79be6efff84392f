"""The upstream: forward a request (httpx, streaming), and capture what came back, SSE events
with their timing included, while the client receives it live."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import AsyncIterator, Callable

import httpx

from ..contract.sse import parse_sse
from ..http.errors import ApiError
from .cassette import RecordedEvent, RecordedResponse

# Not forwarded: the transport's own headers (httpx writes them for the upstream connection).
_NOT_FORWARDED = frozenset({"host", "content-length", "connection", "keep-alive", "transfer-encoding",
                            "accept-encoding", "x-mock-cassette"})
# Not passed back to the client: the transport's, and what the renderer (or uvicorn: date) writes itself.
_NOT_RETURNED = frozenset({"request-id", "content-length", "connection", "keep-alive", "transfer-encoding", "content-encoding",
                           "content-type", "date", "server"})


@dataclass(slots=True)
class Exchange:
    """An upstream answer in flight: its head now, its body as it arrives (captured as it goes)."""

    status: int
    headers: list[tuple[str, str]]
    content_type: str
    body: AsyncIterator[bytes] | bytes
    events: list[RecordedEvent] | None = None
    chunks: list[bytes] = field(default_factory=list)

    def response(self) -> RecordedResponse:
        body = self.body if isinstance(self.body, bytes) else b"".join(self.chunks)
        return RecordedResponse(self.status, self.headers, body, self.events)

    def client_headers(self) -> list[tuple[bytes, bytes]]:
        return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers if k not in _NOT_RETURNED]


class Upstream:
    def __init__(self, base_url: str, timeout: float = 600.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:  # made on first use: it belongs to the server's event loop
            timeout = httpx.Timeout(self.timeout, connect=min(10.0, self.timeout))
            self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        return self._client

    def _failed(self, error: httpx.HTTPError) -> ApiError:
        """A hung upstream is a 504 after --proxy-timeout; any other failure (refused, cut short,
        not HTTP) a 502. Both in the envelope, naming the upstream."""
        if isinstance(error, httpx.TimeoutException):
            return ApiError("timeout_error", f"the upstream {self.base_url} did not answer within {self.timeout:g} s "
                            "(--proxy-timeout)", status=504)
        return ApiError("mock_upstream_error", f"the upstream {self.base_url} did not answer: {error!r}", status=502)

    async def forward(self, method: str, uri: str, headers: dict[str, str], body: bytes,
                      on_done: Callable[[Exchange], None]) -> Exchange:
        """Send the request; `on_done` gets the exchange once its whole body has been read."""
        sent = {k: v for k, v in headers.items() if k not in _NOT_FORWARDED}
        sent["accept-encoding"] = "identity"  # the bytes we record are the bytes we replay
        request = self._http().build_request(method, self.base_url + uri, headers=sent, content=body)
        try:
            response = await self._http().send(request, stream=True)
        except httpx.HTTPError as error:
            raise self._failed(error) from None
        if not 100 <= response.status_code <= 599:
            await response.aclose()
            raise ApiError("mock_upstream_error", f"the upstream {self.base_url} answered with status "
                           f"{response.status_code}, which is not an HTTP status", status=502)
        headers_in = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in response.headers.raw]
        content_type = response.headers.get("content-type", "application/octet-stream")
        if not content_type.startswith("text/event-stream"):
            try:
                whole = await response.aread()
            except httpx.HTTPError as error:  # a body shorter than its length, garbled chunks, a stall
                raise self._failed(error) from None
            finally:
                await response.aclose()
            exchange = Exchange(response.status_code, headers_in, content_type, whole)
            on_done(exchange)
            return exchange
        exchange = Exchange(response.status_code, headers_in, content_type, b"", events=[])
        exchange.body = _relay(response, exchange, on_done)
        return exchange

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


async def _relay(response: httpx.Response, exchange: Exchange, on_done: Callable[[Exchange], None]) -> AsyncIterator[bytes]:
    """Pass chunks through as they come; cut them into events, each stamped with its delay."""
    events = exchange.events
    assert events is not None
    pending, last = b"", time.perf_counter()
    try:
        async for chunk in _chunks(response):
            exchange.chunks.append(chunk)
            pending += chunk.replace(b"\r\n", b"\n")
            *complete, pending = pending.split(b"\n\n")
            now = time.perf_counter()
            for block in complete:
                for event in parse_sse(block + b"\n\n").events:
                    events.append(RecordedEvent(event.name, event.data, now - last))
                    last = now
            yield chunk
    except _Broken:
        return  # the client sees the stream end where the upstream's did
    finally:
        await response.aclose()
    on_done(exchange)


async def _chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    """The upstream's chunks; a stream the upstream breaks ends here (and is not recorded)."""
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except httpx.HTTPError:
        raise _Broken from None


class _Broken(Exception):
    pass

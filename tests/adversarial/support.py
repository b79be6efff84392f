"""What the adversarial tests share: raw HTTP over a real socket, the error-envelope check, and "a
second client is still answered while another one misbehaves", within a bound relative to the same
request's baseline latency measured in the same run (never an absolute time: a loaded machine slows
both alike). Each takes a server as started by `servers.py` (anything with `.port` and `.base_url`)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Protocol

import httpx

from ..helpers import CURRENT, LEGACY, MESSAGE_BODY, headers

SECOND_CLIENT_FLOOR = 1.0  # seconds a second client may always take while another misbehaves
SECOND_CLIENT_FACTOR = 20.0  # ... or this many times its baseline, when the machine is slower than that
MISBEHAVIOUR_SECONDS = 120.0  # how long a hostile request may take before the test calls it hung


class Server(Protocol):
    """What both server kinds (in-process and separate process) expose."""

    port: int

    @property
    def base_url(self) -> str: ...


# -- raw HTTP --------------------------------------------------------------------------------------

@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    raw_head: bytes = field(repr=False, default=b"")

    @property
    def status_code(self) -> int:  # httpx's names, so one assert helper takes either
        return self.status

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)


def request_bytes(method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"", *,
                  host: str = "127.0.0.1", declared_length: int | None = None, keep_alive: bool = False) -> bytes:
    """An HTTP/1.1 request exactly as given (`headers` may carry any bytes as latin-1 text).
    `declared_length` announces a Content-Length other than the body's, for bodies that never arrive."""
    lines = [f"{method} {path} HTTP/1.1", f"host: {host}", *(f"{k}: {v}" for k, v in (headers or {}).items())]
    if body or declared_length is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"content-length: {len(body) if declared_length is None else declared_length}")
    if not keep_alive:
        lines.append("connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def connect(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes (a reset after its answer counts as closed)."""
    sock.settimeout(timeout)
    chunks = []
    with contextlib.suppress(ConnectionResetError, BrokenPipeError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def send_raw(server: Server, data: bytes, timeout: float = 30.0) -> RawResponse:
    """Send bytes on a fresh connection and read the response until the server closes it."""
    with connect(server) as sock:
        sock.sendall(data)
        return parse_response(read_until_closed(sock, timeout))


def parse_response(data: bytes) -> RawResponse:
    head, _, body = data.partition(b"\r\n\r\n")
    if not head:
        raise AssertionError("the server closed the connection without answering")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = _unchunk(body)
    elif "content-length" in headers:  # a keep-alive read may hold the next response's bytes too
        body = body[:int(headers["content-length"])]
    return RawResponse(int(status_line.split()[1]), headers, body, head)


def _unchunk(data: bytes) -> bytes:
    out, rest = [], data
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2:]
    return b"".join(out)


# -- requests through httpx --------------------------------------------------------------------------

def post(server: Server, path: str, body: Any, *, version: str = CURRENT, timeout: float = 60.0,
         **extra_headers: str) -> httpx.Response:
    """POST with a valid key; bytes go as they are, anything else as JSON written by the stdlib
    (orjson refuses to write the deepest schemas)."""
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(f"{server.base_url}{path}", content=content, timeout=timeout,
                      headers=headers(version, content_type="application/json", **extra_headers))


def tool_request(schema: Any, **extra: Any) -> dict[str, Any]:
    """A Messages request that forces a call of one tool with `schema` as its input_schema."""
    return {**MESSAGE_BODY, "tools": [{"name": "get_weather", "input_schema": schema}],
            "tool_choice": {"type": "any"}, **extra}


def output_request(schema: Any, **extra: Any) -> dict[str, Any]:
    """A Messages request whose structured output follows `schema`."""
    return {**MESSAGE_BODY, "output_config": {"format": {"type": "json_schema", "schema": schema}}, **extra}


# -- the error envelope ------------------------------------------------------------------------------

def assert_envelope(response: RawResponse | httpx.Response, status: int, error_type: str, *says: str,
                    message: str | None = None) -> dict[str, Any]:
    """The status and the API's error envelope, with a request id in the body matching the
    `request-id` header; the message contains each of `says`, or is exactly `message`."""
    assert response.status_code == status, (response.status_code, response.text[:500])
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == error_type, body
    text = body["error"]["message"]
    assert isinstance(text, str) and text, body
    request_id = response.headers.get("request-id", "")
    assert request_id.startswith("req_") and body["request_id"] == request_id, (response.headers, body)
    for words in says:
        assert words in text, text
    if message is not None:
        assert text == message, text
    return body


def assert_invalid_request(response: RawResponse | httpx.Response, *says: str) -> str:
    """The commonest envelope, a 400 invalid_request_error; returns its message."""
    return assert_envelope(response, 400, "invalid_request_error", *says)["error"]["message"]


# -- a second client while another one misbehaves -----------------------------------------------------

def ordinary_message(server: Server, timeout: float = 30.0, **extra_headers: str) -> RawResponse:
    """An ordinary Messages request on a fresh connection (plus any `extra_headers`, `_` read as `-`)."""
    sent = headers(LEGACY, content_type="application/json", **extra_headers)
    return send_raw(server, request_bytes("POST", "/v1/messages", sent, json.dumps(MESSAGE_BODY).encode()), timeout)


def baseline(server: Server, samples: int = 3) -> float:
    """The median time of an ordinary request on a quiet server (after one to warm it up), in seconds."""
    ordinary_message(server)
    times = []
    for _ in range(samples):
        started = time.monotonic()
        assert ordinary_message(server).status == 200
        times.append(time.monotonic() - started)
    return sorted(times)[samples // 2]


def second_client_bound(quiet: float) -> float:
    """How long a second client may take while another misbehaves, given its `quiet` baseline."""
    return max(SECOND_CLIENT_FLOOR, SECOND_CLIENT_FACTOR * quiet)


def assert_second_client_answered(server: Server, quiet: float) -> float:
    """An ordinary request succeeds within `second_client_bound(quiet)`; returns how long it took."""
    bound = second_client_bound(quiet)
    started = time.monotonic()
    response = ordinary_message(server, timeout=bound * 5)
    took = time.monotonic() - started
    assert response.status == 200, response.body[:300]
    assert took < bound, (f"a normal request took {took:.2f} s while another client misbehaved "
                          f"(baseline {quiet * 1000:.1f} ms, bound {bound:.2f} s)")
    return took


class Background:
    """An action running on another thread, and what it returned or raised."""

    def __init__(self, action: Callable[[], Any]) -> None:
        self._outcome: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, args=(action,), daemon=True)
        self._thread.start()

    def _run(self, action: Callable[[], Any]) -> None:
        try:
            self._outcome["value"] = action()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test by result()
            self._outcome["error"] = error

    def finish(self) -> None:
        self._thread.join(MISBEHAVIOUR_SECONDS)

    def result(self) -> Any:
        """What the action returned (re-raising what it raised), once it has finished."""
        self.finish()
        assert not self._thread.is_alive(), f"the misbehaving client did not finish within {MISBEHAVIOUR_SECONDS:g} s"
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]


@contextlib.contextmanager
def in_background(action: Callable[[], Any]) -> Iterator[Background]:
    """Run `action` on another thread during the block, which may check a second client meanwhile."""
    background = Background(action)
    try:
        yield background
    finally:
        background.finish()


def while_misbehaving(server: Server, misbehave: Callable[[], Any], settle: float = 0.05, checks: int = 1) -> Any:
    """Measure the baseline, then run `misbehave` (the hostile client) on another thread; after `settle`
    seconds, so it has reached the server, a second client must be answered `checks` times in a row
    within `second_client_bound`. Returns what `misbehave` returned, re-raising what it raised."""
    quiet = baseline(server)
    with in_background(misbehave) as hostile:
        time.sleep(settle)
        for _ in range(checks):
            assert_second_client_answered(server, quiet)
    return hostile.result()


def hostile_post(server: Server, path: str, body: Any, **options: Any) -> httpx.Response:
    """`post` as the misbehaving client: while it is in flight a second client must be answered
    within `second_client_bound` of its baseline."""
    return while_misbehaving(server, lambda: post(server, path, body, **options))

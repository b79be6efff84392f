"""Shared by part A's adversarial tests: a real server in its own process (part B's ServerProcess,
so its RSS can be read from /proc), raw bytes over a socket, the error-envelope check, and
"another client is still served"."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from . import support_b

KEY = "sk-ant-api03-adversarial"
VERSION = "2023-06-01"
MODEL = "claude-sonnet-4-6"
ASK = {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "Hello there"}]}
MEANWHILE_SECONDS = 1.0  # the bound for a normal client while another one misbehaves


ServerProcess = support_b.ServerProcess  # `mockserver serve ARGS` in its own process; .start(), .rss_mb()


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    raw_head: bytes = field(repr=False, default=b"")

    @property
    def status_code(self) -> int:  # httpx's name, so one assert helper takes either
        return self.status

    def json(self) -> Any:
        return json.loads(self.body)


def request_bytes(method: str, path: str, port: int, headers: dict[str, str] | None = None,
                  body: bytes = b"", host: str | None = None) -> bytes:
    """An HTTP/1.1 request exactly as given (`headers` may carry any bytes as latin-1 text)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host if host is not None else f'127.0.0.1:{port}'}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines += [f"Content-Length: {len(body)}", "Connection: close"]
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


def send_raw(port: int, data: bytes, timeout: float = 30.0) -> RawResponse:
    """Send bytes on a fresh connection and read the response until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        chunks = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return parse_response(b"".join(chunks))


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


def assert_envelope(response: RawResponse, status: int, error_type: str, says: str | None = None) -> dict:
    """The API's error envelope, with a request id in the body matching the `request-id` header."""
    assert response.status == status, (response.status, response.body[:500])
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == error_type, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    request_id = response.headers.get("request-id", "")
    assert request_id.startswith("req_") and body["request_id"] == request_id, (response.headers, body)
    if says is not None:
        assert says in body["error"]["message"], body["error"]["message"]
    return body


def normal_request(port: int) -> RawResponse:
    body = json.dumps(ASK).encode()
    headers = {"x-api-key": KEY, "anthropic-version": VERSION, "content-type": "application/json"}
    return send_raw(port, request_bytes("POST", "/v1/messages", port, headers, body), timeout=MEANWHILE_SECONDS * 5)


def while_misbehaving(port: int, bad: Callable[[], Any], settle: float = 0.05) -> Any:
    """Run `bad` (the hostile request) in a thread; meanwhile a normal client must be answered within
    MEANWHILE_SECONDS. Returns what `bad` returned (re-raising what it raised)."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = bad()
        except BaseException as error:  # handed to the test below
            outcome["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    time.sleep(settle)
    started = time.monotonic()
    normal = normal_request(port)
    elapsed = time.monotonic() - started
    assert normal.status == 200, normal.body[:300]
    assert elapsed < MEANWHILE_SECONDS, f"a normal request took {elapsed:.2f} s while another client misbehaved"
    worker.join(timeout=120)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")

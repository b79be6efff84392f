"""Helpers for the adversarial tests of connection limits, skill bundles and fidelity edges:
a real server on a free port, raw socket sends, envelope asserts, a second client answered
meanwhile, and the process's resident memory from /proc."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any, Callable, Iterator

import httpx

from mockserver.config import Config
from mockserver.server import MockServer

from ..helpers import KEY, LEGACY, MESSAGE_BODY
from .support import RawResponse, parse_response

SECOND_CLIENT_SECONDS = 1.0  # the bound: a normal request is answered within 1 s meanwhile


@contextlib.contextmanager
def running(**overrides: Any) -> Iterator[MockServer]:
    with MockServer(Config(**{"batch_seconds": 0, **overrides})) as server:
        yield server


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes (a reset after its answer counts as closed)."""
    sock.settimeout(timeout)
    chunks = []
    with contextlib.suppress(ConnectionResetError, BrokenPipeError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def connect(server: MockServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def request_bytes(method: str, path: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
    if body or method in ("POST", "PUT", "PATCH"):
        lines.append(f"content-length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def send_raw(server: MockServer, data: bytes, timeout: float = 10) -> RawResponse:
    with connect(server) as sock:
        sock.sendall(data)
        return parse_response(read_until_closed(sock, timeout))


def api_headers(version: str = LEGACY, **extra: str) -> dict[str, str]:
    return {"x-api-key": KEY, "anthropic-version": version, "connection": "close", **extra}


def assert_envelope(response: RawResponse | httpx.Response, status: int, message: str | None = None,
                    error_type: str = "invalid_request_error") -> dict[str, Any]:
    """The status, the Anthropic envelope and a request-id header that matches the body's."""
    body = response.json()
    assert response.status_code == status, body
    assert body["type"] == "error" and body["error"]["type"] == error_type, body
    if message is not None:
        assert body["error"]["message"] == message, body
    request_id = response.headers["request-id"]
    assert request_id.startswith("req_") and body["request_id"] == request_id
    return body


def answered_quickly(server: MockServer) -> float:
    """Seconds a normal Messages request takes; asserts it is answered within the issue's bound."""
    started = time.monotonic()
    response = httpx.post(f"{server.base_url}/v1/messages", json=MESSAGE_BODY,
                          headers={"x-api-key": KEY, "anthropic-version": LEGACY}, timeout=5)
    took = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert took < SECOND_CLIENT_SECONDS, f"a normal request took {took:.2f} s while another client misbehaved"
    return took


@contextlib.contextmanager
def in_background(action: Callable[[], Any]) -> Iterator[list[Any]]:
    """Run `action` in a thread for the block's duration; its result (or exception) lands in the list."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(action())
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield outcome
    finally:
        thread.join(30)


def rss_bytes() -> int:
    """Resident memory of this process (the in-process server's too), from /proc."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")

"""Issue 23, F10, F11 and F12: a YAML integer of more than 4,300 digits on the control API, a
WebSocket upgrade and two Host headers each get a 400 in the envelope (never a 500 or a guess)."""

from __future__ import annotations

import pytest

from ..helpers import KEY, LEGACY
from .servers import ServerProcess
from .support import assert_invalid_request, request_bytes, send_raw, while_misbehaving

WEBSOCKET = {"upgrade": "websocket", "connection": "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
             "sec-websocket-version": "13", "x-api-key": KEY, "anthropic-version": LEGACY}


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as process:
        yield process


@pytest.mark.parametrize("where", ["respond:\n  status: {n}\n", "respond:\n  status: 200\n  body: {{n: {n}}}\n",
                                   "priority: {n}\nrespond: {{text: hi}}\n"])
def test_f10_a_yaml_integer_of_5000_digits_gets_400(server, where):
    document = ("id: big\n" + where.format(n="9" * 5000)).encode()
    response = while_misbehaving(server, lambda: send_raw(server, request_bytes(
        "POST", "/_mock/rules", {"content-type": "application/yaml"}, document)))
    message = assert_invalid_request(response, "YAML", "out of range", "64 bits")
    assert "9" * 100 not in message  # the body is never quoted back
    assert send_raw(server, request_bytes("GET", "/_mock/rules")).json()["rules"] == []


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/models", "/_mock/health"])
def test_f11_a_websocket_upgrade_gets_400_in_the_envelope(server, path):
    response = while_misbehaving(server, lambda: send_raw(server, request_bytes("GET", path, WEBSOCKET)))
    assert_invalid_request(response, "WebSocket is not supported")
    assert response.headers["connection"] == "close" and "sec-websocket-accept" not in response.headers


@pytest.mark.parametrize("hosts", [("evil.example", "127.0.0.1"), ("127.0.0.1", "evil.example"),
                                   ("127.0.0.1", "127.0.0.1")])
@pytest.mark.parametrize("path", ["/_mock/rules", "/v1/models"])
def test_f12_two_host_headers_get_400_whichever_comes_last(server, hosts, path):
    head = "".join(f"host: {host}\r\n" for host in hosts)
    raw = (f"GET {path} HTTP/1.1\r\n{head}x-api-key: {KEY}\r\nanthropic-version: {LEGACY}\r\n"
           "connection: close\r\n\r\n").encode()
    response = while_misbehaving(server, lambda: send_raw(server, raw))
    assert_invalid_request(response, "Host header appears more than once")
    one = send_raw(server, request_bytes("GET", path, {"x-api-key": KEY, "anthropic-version": LEGACY}))
    assert one.status == 200, one.body[:300]

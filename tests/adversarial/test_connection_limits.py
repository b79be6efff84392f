"""Issue 11, items 6 and 7: an oversized header is refused quickly (431) and slowloris connections
are closed by the header and body timeouts, while other clients keep being answered."""

from __future__ import annotations

import socket
import time

import pytest

from ..helpers import LEGACY, headers
from .servers import ServerProcess, ServerThread
from .support import (assert_envelope, assert_second_client_answered, baseline, connect, in_background, parse_response,
                      read_until_closed, request_bytes, send_raw)

TIMEOUT = 1.0  # short timeouts keep these tests bounded; the defaults are 10 s and 30 s
HUGE_HEADER = 200 * 1024 * 1024
RSS_GROWTH_MB = 64  # the 200 MB header must never be buffered
JSON_HEADERS = headers(LEGACY, content_type="application/json")


@pytest.fixture(scope="module")
def server():
    with ServerThread(header_timeout=TIMEOUT, body_timeout=TIMEOUT) as server:
        yield server


def _send_huge_header(sock: socket.socket) -> int:
    """Send a request whose one header line is 200 MB; returns how much went out before the close."""
    sent = 0
    chunk = b"a" * (1 << 20)
    try:
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nhost: 127.0.0.1\r\nx-padding: ")
        while sent < HUGE_HEADER:
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:  # the server closed the connection: what we want
        pass
    return sent


def raw_get(server, extra: dict[str, str]):
    return send_raw(server, request_bytes("GET", "/v1/models", headers(LEGACY, **extra)), timeout=10)


def _one_response(sock: socket.socket):
    sock.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    response = parse_response(data)
    while len(response.body) < int(response.headers["content-length"]):
        data += sock.recv(65536)
        response = parse_response(data)
    return response


def test_a_200_mb_header_gets_431_quickly_without_buffering_it(server):
    quiet = baseline(server)
    before = server.rss_mb()
    with connect(server) as sock, in_background(lambda: _send_huge_header(sock)) as sending:
        assert_second_client_answered(server, quiet)
        response = parse_response(read_until_closed(sock, timeout=10))
    assert sending.result() < HUGE_HEADER, "the server read the whole 200 MB header"
    assert_envelope(response, 431, "invalid_request_error", message="Request header fields too large: the request "
                                                                     "line and headers must be at most 65536 bytes.")
    assert response.headers["connection"] == "close"
    assert server.rss_mb() - before < RSS_GROWTH_MB


def test_headers_at_the_limit_are_still_served(server):
    padding = "a" * 60_000  # the request line and other headers fit in the remaining ~5 KB
    response = raw_get(server, {"x-padding": padding})
    assert response.status_code == 200, response.body


def test_a_large_body_sent_with_the_headers_is_not_counted_as_headers(server):
    body = b'{"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"user","content":"' + b"a" * 900_000
    body += b'"}]}'
    response = send_raw(server, request_bytes("POST", "/v1/messages", JSON_HEADERS, body), timeout=10)
    assert response.status_code == 200, response.body[:300]


def test_the_header_limit_is_an_option():
    with ServerThread(max_header_bytes=2048) as small:
        response = raw_get(small, {"x-padding": "a" * 4096})
        assert_envelope(response, 431, "invalid_request_error", message="Request header fields too large: the "
                                                                         "request line and headers must be at most "
                                                                         "2048 bytes.")
        assert raw_get(small, {"x-padding": "a" * 512}).status_code == 200


def test_slow_headers_get_408_and_the_connection_closes(server):
    quiet = baseline(server)
    with connect(server) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /v1/models HTTP/1.1\r\nhost: 127.0.0.1\r\n")
        with in_background(lambda: read_until_closed(sock, timeout=10)) as reading:
            for _ in range(3):  # one header byte now and then, as slowloris does
                time.sleep(TIMEOUT / 4)
                try:
                    sock.sendall(b"x")
                except OSError:
                    break
            assert_second_client_answered(server, quiet)
            response = parse_response(reading.result())
        closed_after = time.monotonic() - started
    assert_envelope(response, 408, "invalid_request_error",
                    message=f"Request timeout: the request headers did not arrive within {TIMEOUT:g} s.")
    assert closed_after < 10


def test_a_connection_that_sends_nothing_is_closed(server):
    quiet = baseline(server)
    with connect(server) as sock:
        with in_background(lambda: read_until_closed(sock, timeout=10)) as reading:
            assert_second_client_answered(server, quiet)
        assert reading.result() == b""  # closed without an answer: there was no request to answer


def test_a_stalled_body_closes_the_connection(server):
    head = request_bytes("POST", "/v1/messages", JSON_HEADERS, declared_length=1000)
    quiet = baseline(server)
    with connect(server) as sock:
        sock.sendall(head + b'{"model":')
        with in_background(lambda: read_until_closed(sock, timeout=10)) as reading:
            assert_second_client_answered(server, quiet)
        assert reading.result() == b""  # the handler saw a disconnect; nothing is sent on a closed connection


def test_a_slow_but_flowing_body_is_served(server):
    body = b'{"model":"claude-sonnet-4-6","max_tokens":8,"messages":[{"role":"user","content":"hi"}]}'
    with connect(server) as sock:
        sock.sendall(request_bytes("POST", "/v1/messages", JSON_HEADERS, body)[:-len(body)])
        for piece in (body[:30], body[30:60], body[60:]):
            time.sleep(TIMEOUT / 4)
            sock.sendall(piece)
        response = parse_response(read_until_closed(sock, timeout=10))
    assert response.status_code == 200, response.body


def test_keep_alive_connections_are_not_cut_by_the_header_timeout(server):
    request = request_bytes("GET", "/v1/models", headers(LEGACY), keep_alive=True)
    with connect(server) as sock:
        sock.sendall(request)
        assert _one_response(sock).status_code == 200
        time.sleep(TIMEOUT * 1.5)  # idle between requests for longer than the header timeout
        sock.sendall(request)
        assert _one_response(sock).status_code == 200


def test_the_limits_are_serve_options():
    """The CLI path (uvloop, the protocol imported by name) with the three options set."""
    with ServerProcess("--max-header-bytes", "1024", "--header-timeout", "0.5", "--body-timeout", "0.5") as server:
        too_large = raw_get(server, {"x-padding": "a" * 2048})
        assert_envelope(too_large, 431, "invalid_request_error", message="Request header fields too large: the "
                                                                          "request line and headers must be at most "
                                                                          "1024 bytes.")
        with connect(server) as sock:
            sock.sendall(b"GET /v1/models HTTP/1.1\r\n")
            assert_envelope(parse_response(read_until_closed(sock, timeout=10)), 408, "invalid_request_error",
                            message="Request timeout: the request headers did not arrive within 0.5 s.")

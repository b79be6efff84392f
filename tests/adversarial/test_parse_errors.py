"""Issue 11 item 8: bodies the JSON parser cannot carry are a 400 naming the problem, never a 500."""

from __future__ import annotations

import pytest

from .servers import ServerProcess
from .support import assert_invalid_request, hostile_post, post

MESSAGE_PREFIX = b'{"model":"claude-sonnet-4-6","max_tokens":16,"messages":[{"role":"user","content":"'
MESSAGE_SUFFIX = b'"}]}'


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as process:
        yield process


def test_lone_surrogate_escape_is_named(server):
    response = hostile_post(server, "/v1/messages", MESSAGE_PREFIX + b"\\ud800" + MESSAGE_SUFFIX)
    assert_invalid_request(response, "not valid JSON", "surrogate")


def test_raw_surrogate_bytes_are_named_as_invalid_utf8(server):
    response = hostile_post(server, "/v1/messages", MESSAGE_PREFIX + b"\xed\xa0\x80" + MESSAGE_SUFFIX)
    assert_invalid_request(response, "not valid UTF-8", "0xed")


def test_integer_of_more_than_4300_digits_is_named(server):
    body = b'{"model":"claude-sonnet-4-6","max_tokens":' + b"9" * 4301 + b',"messages":[]}'
    assert_invalid_request(hostile_post(server, "/v1/messages", body), "more than 4300 digits")


@pytest.mark.parametrize("depth", [10_000, 100_000])
def test_deep_nesting_is_named(server, depth):
    body = b"[" * depth + b"]" * depth
    assert_invalid_request(hostile_post(server, "/v1/messages", body), "levels deep")


def test_objects_nested_past_what_the_server_writes_back_are_named(server):
    body = b'{"a":' * 300 + b"1" + b"}" * 300  # parses, but deeper than a reply could be written
    assert_invalid_request(hostile_post(server, "/v1/messages", body), "more than 254 levels deep")


def test_nesting_within_the_limit_still_reaches_validation(server):
    body = b'{"metadata":' + b'{"a":' * 200 + b"1" + b"}" * 200 + b"}"
    message = assert_invalid_request(post(server, "/v1/messages", body))
    assert "levels deep" not in message


def test_long_integers_beside_nan_are_read_as_orjson_reads_them(server):
    """NaN sends the body to the stdlib parser; its integers beyond 64 bits must still be writable."""
    body = (b'{"model":"claude-sonnet-4-6","max_tokens":16,"messages":[{"role":"user","content":"hi"}],'
            b'"tools":[{"name":"t","input_schema":{"type":"object","x":[NaN,' + b"1" * 4000 + b"]}}]}")
    response = post(server, "/v1/messages", body)
    assert response.status_code == 200, response.text

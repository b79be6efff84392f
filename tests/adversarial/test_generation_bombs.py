"""Issue 11 item 4: a tool schema asking for a huge value is answered at once (cut by max_tokens, as
generation would be), without stalling other clients or growing the server's memory."""

from __future__ import annotations

import httpx
import jsonschema_rs
import pytest

from ..helpers import MESSAGE_BODY
from .servers import ServerProcess
from .support import assert_invalid_request, hostile_post, output_request, post, tool_request

RSS_GROWTH_MB = 60  # a 1.6M-character string alone would be ~2 MB; a 10M one, 10 MB (times copies)


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as process:
        yield process


def assert_cut_by_max_tokens(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["stop_reason"] == "max_tokens"
    assert not [b for b in message["content"] if b["type"] == "tool_use"]
    assert response.headers["request-id"].startswith("req_")


@pytest.mark.parametrize("field", [
    {"type": "string", "minLength": 1_600_000}, {"type": "string", "minLength": 10_000_000},
    {"type": "string", "pattern": "((a{100}){100}){1000}"},
], ids=["minLength-1.6M", "minLength-10M", "pattern-bomb"])
def test_a_value_larger_than_max_tokens_allows_is_cut_at_once(server, field):
    schema = {"type": "object", "properties": {"a": field}, "required": ["a"]}
    before = server.rss_mb()
    assert_cut_by_max_tokens(hostile_post(server, "/v1/messages", tool_request(schema)))
    assert server.rss_mb() - before < RSS_GROWTH_MB


def test_pattern_bomb_with_the_largest_max_tokens_still_answers_in_time(server):
    pattern = "((a{100}){100}){1000}"
    schema = {"type": "object", "properties": {"a": {"type": "string", "pattern": pattern}}, "required": ["a"]}
    body = tool_request(schema, max_tokens=64_000)
    assert_cut_by_max_tokens(hostile_post(server, "/v1/messages", body))


def test_structured_output_too_large_for_max_tokens_is_cut(server):
    schema = {"type": "object", "properties": {"a": {"type": "string", "minLength": 10_000_000}}, "required": ["a"]}
    response = hostile_post(server, "/v1/messages", output_request(schema))
    assert response.status_code == 200, response.text
    message = response.json()
    assert message["stop_reason"] == "max_tokens"
    (block,) = message["content"]
    assert block["text"].startswith('{"a": "') and not block["text"].endswith('"}')  # the JSON's start, cut
    assert message["usage"]["output_tokens"] == MESSAGE_BODY["max_tokens"]


def test_a_large_value_that_fits_max_tokens_is_still_generated_whole(server):
    schema = {"type": "object", "properties": {"a": {"type": "string", "minLength": 3000}}, "required": ["a"]}
    response = post(server, "/v1/messages", tool_request(schema, max_tokens=4000))
    assert response.status_code == 200, response.text
    (call,) = [b for b in response.json()["content"] if b["type"] == "tool_use"]
    assert len(call["input"]["a"]) >= 3000
    assert jsonschema_rs.validator_for(schema).is_valid(call["input"])


@pytest.mark.parametrize("field", [
    {"type": "array", "items": {"type": "integer"}, "minItems": 1_000_000},
    {"type": "array", "minItems": 30, "items": {"type": "array", "minItems": 30,
                                                 "items": {"type": "array", "minItems": 30, "items": {"type": "boolean"}}}},
], ids=["a-million-items", "27000-nested-items"])
def test_work_beyond_the_generation_budget_is_a_clear_400(server, field):
    schema = {"type": "object", "properties": {"a": field}, "required": ["a"]}
    body = tool_request(schema, max_tokens=64_000)
    response = hostile_post(server, "/v1/messages", body)
    assert_invalid_request(response, "tools: input_schema of tool `get_weather`", "subschema instances")

"""Issue 11 item 10: hostile tool and structured-output schemas get a valid value when one exists
(with bounded depth), else a 400 naming the schema problem; never a 500."""

from __future__ import annotations

import json

import httpx
import jsonschema_rs
import pytest

from .servers import ServerProcess
from .support import assert_invalid_request, hostile_post, output_request, tool_request

TREE = {"type": "object", "properties": {f"child_{i}": {"$ref": "#"} for i in range(5)}}
REQUIRED_CYCLE = {"type": "object", "properties": {"next": {"$ref": "#"}}, "required": ["next"]}


def nested_all_of(levels: int) -> dict:
    schema: dict = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    for _ in range(levels):
        schema = {"allOf": [schema]}
    return schema


def one_field(field: dict) -> dict:
    return {"type": "object", "properties": {"a": field}, "required": ["a"]}


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as process:
        yield process


def generated(response: httpx.Response, structured: bool):
    assert response.status_code == 200, response.text
    message = response.json()
    if structured:
        return json.loads(message["content"][0]["text"])
    (call,) = [b for b in message["content"] if b["type"] == "tool_use"]
    return call["input"]


@pytest.mark.parametrize("structured", [False, True], ids=["tool", "output_config"])
@pytest.mark.parametrize("schema", [
    TREE, nested_all_of(100), one_field({"type": "number", "multipleOf": 1e-320}),
    one_field({"type": "integer", "minimum": 1e308}), one_field({"type": "integer", "maximum": -1e308}),
    one_field({"type": "number", "minimum": -1e308, "maximum": 1e308}), {"$ref": "#"},
], ids=["ref-tree-width-5", "100-nested-allOf", "multipleOf-1e-320", "integer-min-1e308", "integer-max--1e308",
        "number-span-2e308", "self-ref"])
def test_a_valid_value_when_one_exists(server, schema, structured):
    make = output_request if structured else tool_request
    value = generated(hostile_post(server, "/v1/messages", make(schema, max_tokens=8000)), structured)
    assert jsonschema_rs.validator_for(schema).is_valid(value), value


@pytest.mark.parametrize("structured", [False, True], ids=["tool", "output_config"])
@pytest.mark.parametrize(("schema", "named"), [
    (REQUIRED_CYCLE, "recurses through required properties or items without end"),
    (one_field({"type": "integer", "minimum": 5, "maximum": 1}), "no integer satisfies"),
    (one_field({"type": "number", "exclusiveMinimum": 1, "exclusiveMaximum": 1}), "no number satisfies"),
    (one_field({"type": "string", "minLength": "ten"}), "not a valid JSON Schema"),
], ids=["required-ref-cycle", "empty-integer-range", "empty-number-range", "malformed-keyword"])
def test_a_400_naming_the_schema_problem_otherwise(server, schema, named, structured):
    make = output_request if structured else tool_request
    message = assert_invalid_request(hostile_post(server, "/v1/messages", make(schema)), named)
    assert message.startswith("output_config.format.schema: " if structured else "tools: input_schema of tool")


def test_400_nested_all_of_is_refused_by_its_depth(server):
    """400 levels of allOf nest the body 800 deep: past what the server can write back, so named as such."""
    assert_invalid_request(hostile_post(server, "/v1/messages", tool_request(nested_all_of(400))), "levels deep")

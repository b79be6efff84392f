"""Every rule field is documented in docs/scripting.md and used in an example under examples/, every
example loads, and the examples do what their comments say."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import anthropic
import pytest
import yaml

from mockserver.scenarios.rules import load_rules_file

from ..helpers import MODEL

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "scripting.md"
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
SCHEMAS = yaml.safe_load((ROOT / "openapi" / "control.yaml").read_text())["components"]["schemas"]
RULE_SCHEMAS = ("Rule", "Match", "Response", "Fault", "ApiErrorSpec", "StreamError", "ToolUse", "Pacing",
                "BodyCondition", "StringMatcher")


def properties(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for name, child in (node.get("properties") or {}).items():
            yield name
            yield from properties(child)
        for key in ("oneOf", "anyOf", "allOf"):
            for child in node.get(key) or []:
                yield from properties(child)


def rule_fields() -> set[str]:
    return {name for schema in RULE_SCHEMAS for name in properties(SCHEMAS[schema])}


def keys(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from keys(item)


def values(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for value in node.values():
            yield from values(value)
    elif isinstance(node, list):
        for item in node:
            yield from values(item)
    else:
        yield node


def test_the_field_list_is_not_empty():
    assert {"respond", "sequence", "nth", "last_user_text", "cut_after_bytes", "retry_after_ms", "drip",
            "between_events", "gte", "present"} <= rule_fields()


@pytest.mark.parametrize("field", sorted(rule_fields()))
def test_every_field_is_documented(field):
    assert f"`{field}`" in DOCS.read_text(), f"docs/scripting.md does not describe `{field}`"


@pytest.mark.parametrize("field", sorted(rule_fields()))
def test_every_field_has_an_example(field):
    used = {key for path in EXAMPLES for key in keys(yaml.safe_load(path.read_text()))}
    assert field in used, f"no example under examples/ uses `{field}`"


def test_every_then_mode_and_distribution_has_an_example():
    used = {str(v) for path in EXAMPLES for v in values(yaml.safe_load(path.read_text()))}
    assert set(SCHEMAS["Rule"]["properties"]["then"]["enum"]) <= used
    assert {"uniform", "normal", "lognormal", "fixed"} <= {v.split(":")[0] for v in used if ":" in v}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_load(path):
    assert load_rules_file(path)


def ask(text: str, **fields: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": text}], **fields}


WEATHER = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


def test_agent_loop_example(mock):
    mock.load_rules(ROOT / "examples" / "agent-loop.yaml")
    client = mock.client(max_retries=0)
    first = client.messages.create(**ask("What's the weather in Paris?"), tools=[WEATHER])
    assert first.stop_reason == "tool_use"
    assert [b.type for b in first.content] == ["thinking", "text", "tool_use"]
    call = first.content[2]
    assert (call.id, call.name, call.input) == ("toolu_01ScriptedWeatherCall", "get_weather",
                                                {"city": "Paris", "unit": "celsius"})
    turns = [{"role": "user", "content": "What's the weather in Paris?"},
             {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
             {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "18C sunny"}]}]
    with client.messages.stream(model=MODEL, max_tokens=64, messages=turns, tools=[WEATHER]) as stream:
        final = stream.get_final_message()
    assert final.content[0].text == "It is 18 °C and sunny in Paris."
    assert final.usage.input_tokens == 420
    assert mock.states() == {"weather": "Started"}


def test_retries_example(mock):
    mock.load_rules(ROOT / "examples" / "retries.yaml")
    client = mock.client()
    assert client.messages.create(**ask("hi"), extra_headers={"x-scenario": "overloaded"}).content
    with pytest.raises(anthropic.InternalServerError):
        client.messages.create(**ask("hi"), extra_headers={"x-scenario": "final"})
    with pytest.raises(anthropic.RateLimitError) as raised:
        client.with_options(max_retries=0).messages.create(**ask("hi"), extra_headers={"x-scenario": "spend-cap"})
    assert raised.value.body["error"]["details"] == {"error_code": "enforced_spend_limit_reached"}
    assert "retry-after" not in raised.value.response.headers
    assert [e["status"] for e in mock.journal()] == [529, 529, 200, 500, 429]


def test_streams_example(mock):
    mock.load_rules(ROOT / "examples" / "streams.yaml")
    client = mock.client(max_retries=0)
    with pytest.raises(anthropic.APIStatusError):
        with client.messages.stream(**ask("please error")) as stream:
            for _ in stream:
                pass
    with client.messages.stream(**ask("drip please")) as stream:
        assert stream.get_final_message().content[0].text == "This answer arrives a few bytes at a time."


def test_sequences_example(mock):
    mock.load_rules(ROOT / "examples" / "sequences.yaml")
    client = mock.client(max_retries=0)

    def outcome(text: str) -> str:
        try:
            return client.messages.create(**ask(text)).content[0].text
        except anthropic.APIStatusError as error:
            return str(error.status_code)

    assert [outcome("flaky") for _ in range(4)][:3] == ["529", "500", "Third time lucky."]
    assert [outcome("alternate") for _ in range(4)] == ["up", "529", "up", "529"]
    assert client.models.retrieve("claude-scripted").display_name == "Scripted"


def test_fuzz_rule_replays_the_same_bytes():
    import httpx

    from mockserver.config import Config
    from mockserver.server import MockServer

    body = {"model": "claude-sonnet-4-6", "max_tokens": 64, "stream": True,
            "messages": [{"role": "user", "content": "Hi"}]}
    head = {"x-api-key": "sk-ant-api03-x", "anthropic-version": "2026-10-21", "x-mock-session": "fuzzing"}
    with MockServer(Config(rules_files=(ROOT / "examples" / "streams.yaml",))) as server:
        first = httpx.post(f"{server.base_url}/v1/messages", json=body, headers=head)
        again = httpx.post(f"{server.base_url}/v1/messages", json=body, headers=head)
    assert first.status_code == 200 and first.headers["x-mock-fuzz-seed"] == "42"
    assert first.content == again.content

"""Messages through the official SDKs over a real socket: streamed and plain replies agree,
token counts agree, budgets and schemas hold, and the OpenAI SDK completes chat completions."""

from __future__ import annotations

import anthropic
import jsonschema
import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.config import Config
from mockserver.server import MockServer

from .helpers import KEY, MODEL

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {
            "city": {"type": "string", "minLength": 1},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer", "minimum": 1, "maximum": 7},
            "when": {"type": "string", "format": "date-time"},
            "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
            "where": {"type": "object", "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
                      "required": ["lat", "lon"]},
        },
        "required": ["city", "unit"],
    },
}


@pytest.fixture(scope="module")
def server():
    with MockServer(Config(seed=3)) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0,
                               _strict_response_validation=True)


words = st.text(alphabet=st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=60)
turns = st.lists(words, min_size=1, max_size=5).map(
    lambda texts: [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(texts)]
    if len(texts) % 2 else
    [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(texts + ["go on"])]
)


@st.composite
def requests(draw):
    request = {"model": MODEL, "max_tokens": draw(st.integers(1, 400)), "messages": draw(turns)}
    if draw(st.booleans()):
        request["system"] = draw(words)
    if draw(st.booleans()):
        request["stop_sequences"] = draw(st.lists(st.sampled_from(["STOP", "\n\n", "###", "the"]),
                                                  min_size=1, max_size=2, unique=True))
    if draw(st.booleans()):
        request["tools"] = [WEATHER_TOOL]
        request["tool_choice"] = draw(st.sampled_from([{"type": "auto"}, {"type": "any"}, {"type": "none"},
                                                       {"type": "tool", "name": "get_weather"}]))
        if draw(st.booleans()):
            request["messages"][-1]["content"] = "What is get_weather in Paris?"
    if draw(st.booleans()) and request["max_tokens"] > 1030:
        request["thinking"] = {"type": "enabled", "budget_tokens": 1024}
    return request


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(request=requests())
def test_stream_accumulates_to_the_plain_reply(client, request):
    plain = client.messages.create(**request)
    with client.messages.stream(**request) as stream:
        streamed = stream.get_final_message()
    assert streamed.model_dump() == plain.model_dump()
    assert plain.usage.output_tokens <= request["max_tokens"]
    counted = client.messages.count_tokens(**{k: v for k, v in request.items()
                                              if k in ("model", "messages", "system", "tools", "tool_choice",
                                                       "thinking")})
    assert counted.input_tokens == plain.usage.input_tokens
    for block in plain.content:
        if block.type == "tool_use":
            jsonschema.validate(block.input, WEATHER_TOOL["input_schema"])


def test_tool_use_round_trip(client):
    first = client.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER_TOOL],
                                   tool_choice={"type": "any"},
                                   messages=[{"role": "user", "content": "Weather in Paris?"}])
    assert first.stop_reason == "tool_use"
    call = next(b for b in first.content if b.type == "tool_use")
    jsonschema.validate(call.input, WEATHER_TOOL["input_schema"])
    second = client.messages.create(model=MODEL, max_tokens=300, tools=[WEATHER_TOOL], messages=[
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": first.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "18C, sunny"}]},
    ])
    assert second.stop_reason in ("end_turn", "max_tokens")
    assert any(b.type == "text" for b in second.content)


def test_openai_sdk_chat_completions(server):
    client = openai.OpenAI(base_url=f"{server.base_url}/v1/", api_key=KEY, max_retries=0)
    completion = client.chat.completions.create(
        model=MODEL, messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    assert completion.choices[0].message.content
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens
    chunks = list(client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}],
                                                 stream=True, stream_options={"include_usage": True}))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert any(c.choices and c.choices[0].finish_reason for c in chunks)

"""OpenAI-compatible /v1/chat/completions."""

import json

from hypothesis import given
from hypothesis import strategies as st
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from mockserver.engine import chat_completion, chat_completion_chunks
from mockserver.engine.chat import to_messages_request
from tests.engine.support import ctx, validates

WEATHER = {"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                                           "required": ["city"]}}}


def chat(**fields):
    request = {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": "Hello"}], **fields}
    completion = chat_completion(request, ctx())
    ChatCompletion.model_validate(completion)
    return completion, request


def test_plain_completion() -> None:
    completion, _ = chat()
    choice = completion["choices"][0]
    assert completion["object"] == "chat.completion" and choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant" and choice["message"]["content"]
    usage = completion["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_system_and_developer_messages_are_hoisted() -> None:
    request = {"model": "claude-haiku-4-5", "messages": [
        {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
        {"role": "developer", "content": [{"type": "text", "text": "Use metric units."}]}]}
    translated = to_messages_request(request, ctx())
    assert translated["system"] == "Be brief.\nUse metric units."
    assert [m["role"] for m in translated["messages"]] == ["user"]


def test_length_finish_reason() -> None:
    completion, _ = chat(max_completion_tokens=3)
    assert completion["choices"][0]["finish_reason"] == "length"
    assert completion["usage"]["completion_tokens"] == 3


def test_stop_sequences() -> None:
    completion, _ = chat(messages=[{"role": "user", "content": "Say it and then END"}], stop="END")
    assert completion["choices"][0]["finish_reason"] == "stop"
    assert "END" not in completion["choices"][0]["message"]["content"]


def test_tool_calls_map_both_ways() -> None:
    completion, _ = chat(messages=[{"role": "user", "content": "What's the weather in Oslo?"}], tools=[WEATHER],
                         tool_choice="required", parallel_tool_calls=False, seed=5, logprobs=False)
    choice = completion["choices"][0]
    assert choice["finish_reason"] == "tool_calls"
    call = choice["message"]["tool_calls"][0]
    assert call["function"]["name"] == "get_weather"
    assert validates(json.loads(call["function"]["arguments"]), WEATHER["function"]["parameters"])
    follow_up = [{"role": "user", "content": "What's the weather in Oslo?"},
                 {"role": "assistant", "content": None, "tool_calls": [call]},
                 {"role": "tool", "tool_call_id": call["id"], "content": "4C and windy"}]
    answer, _ = chat(messages=follow_up, tools=[WEATHER])
    assert answer["choices"][0]["finish_reason"] == "stop"


def test_images_are_translated() -> None:
    translated = to_messages_request({"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": [
        {"type": "text", "text": "What is this?"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}]}, ctx())
    sources = [b["source"] for b in translated["messages"][0]["content"] if b["type"] == "image"]
    assert sources == [{"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="},
                       {"type": "url", "url": "https://example.com/cat.png"}]


@given(st.booleans(), st.booleans(), st.integers(1, 300))
def test_chunks_rebuild_the_completion(with_tools: bool, with_usage: bool, limit: int) -> None:
    fields = {"max_tokens": limit, "stream": True, "stream_options": {"include_usage": with_usage}}
    if with_tools:
        fields["tools"] = [WEATHER]
        fields["messages"] = [{"role": "user", "content": "What's the weather in Oslo?"}]
    completion, request = chat(**fields)
    chunks = chat_completion_chunks(completion, request, ctx())
    for chunk in chunks:
        ChatCompletionChunk.model_validate(chunk)
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert deltas[0]["role"] == "assistant"
    text = "".join(d.get("content") or "" for d in deltas)
    assert text == (completion["choices"][0]["message"]["content"] or "")
    calls = completion["choices"][0]["message"].get("tool_calls") or []
    for index, call in enumerate(calls):
        parts = [t for d in deltas for t in d.get("tool_calls") or () if t["index"] == index]
        assert parts[0]["id"] == call["id"]
        assert "".join(p["function"]["arguments"] for p in parts) == call["function"]["arguments"]
    finishing = [c for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert finishing[-1]["choices"][0]["finish_reason"] == completion["choices"][0]["finish_reason"]
    if with_usage:
        assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == completion["usage"]
    else:
        assert all("usage" not in c for c in chunks)

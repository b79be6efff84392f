"""Stop reasons and usage fields a request can cause, through the 2.x SDK, JSON and streamed:
model_context_window_exceeded, refusal with stop_details, pause_turn, usage.iterations,
service_tier "priority", and --stateless Messages replies naming the request's model."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from mockserver.config import Config
from mockserver.engine import token_fit
from mockserver.engine.refusals import REFUSAL_TRIGGER
from mockserver.engine.server_loop import ITERATION_LIMIT
from mockserver.server import MockServer

from ..helpers import KEY, MODEL

WINDOW_MODEL = "claude-haiku-4-5"  # 200,000-token context window, 64,000 output tokens
WINDOW = 200_000
PRIORITY_KEY = "sk-ant-api03-priority-key"
FETCH = {"type": "web_fetch_20250910", "name": "web_fetch"}
SEARCH = {"type": "web_search_20250305", "name": "web_search"}
FETCH_BETA = "web-fetch-2025-09-10"


@pytest.fixture(scope="module")
def server():
    with MockServer(Config(seed=5, priority_keys=(PRIORITY_KEY,))) as running:
        yield running


def sdk(server: MockServer, key: str = KEY) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.base_url, api_key=key, max_retries=0, _strict_response_validation=True)


def both(client: anthropic.Anthropic, **request: Any) -> tuple[Any, list[Any]]:
    """The JSON reply, after checking the stream accumulates to it; and the stream's events."""
    plain = client.messages.create(**request, timeout=120)
    with client.messages.stream(**request) as stream:
        events = list(stream)
        assert timeless(stream.get_final_message().model_dump()) == timeless(plain.model_dump())
    return plain, events


def beta_both(client: anthropic.Anthropic, **request: Any) -> Any:
    """As `both`, through the beta client with a beta header (the path beta-only fields are on)."""
    plain = client.beta.messages.create(**request, betas=[FETCH_BETA])
    with client.beta.messages.stream(**request, betas=[FETCH_BETA]) as stream:
        assert timeless(stream.get_final_message().model_dump()) == timeless(plain.model_dump())
    return plain


def timeless(value: Any) -> Any:
    """Without `retrieved_at`: a fetch is stamped with the time of the request that made it."""
    if isinstance(value, dict):
        return {k: timeless(v) for k, v in value.items() if k != "retrieved_at"}
    if isinstance(value, list):
        return [timeless(v) for v in value]
    return value


def ask(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 500, "messages": [{"role": "user", "content": text}], **extra}


def _delta(events: list[Any]) -> Any:
    return next(e for e in events if e.type == "message_delta")


# model_context_window_exceeded

def _prompt_filling_the_window(client: anthropic.Anthropic, room: int) -> list[dict[str, Any]]:
    """A conversation whose input leaves exactly `room` tokens of the model's window."""
    base, padding = "lorem " * 190_000, 0
    for _ in range(8):  # a padding token costs the family's text ratio: step to the exact count
        messages = [{"role": "user", "content": base + " x" * padding}]
        gap = WINDOW - room - client.messages.count_tokens(model=WINDOW_MODEL, messages=messages).input_tokens
        if gap == 0:
            return messages
        padding += max(1, round(gap / token_fit.for_model(WINDOW_MODEL)["text"])) if gap > 0 else -1
    raise AssertionError("no padding gives the exact count")


def test_output_past_the_context_window_stops_with_model_context_window_exceeded(server):
    client = sdk(server)
    messages = _prompt_filling_the_window(client, room=12)
    full, events = both(client, model=WINDOW_MODEL, max_tokens=64_000, messages=messages)
    assert full.stop_reason == "model_context_window_exceeded" and full.stop_sequence is None
    assert full.usage.output_tokens == 12 and full.usage.input_tokens == WINDOW - 12
    assert _delta(events).delta.stop_reason == "model_context_window_exceeded"
    within = client.messages.create(model=WINDOW_MODEL, max_tokens=12, messages=messages, timeout=120)
    assert within.stop_reason == "max_tokens" and within.content == full.content  # the same text, cut the same


def test_a_reply_that_fits_in_the_window_ends_normally(server):
    reply = sdk(server).messages.create(model=WINDOW_MODEL, max_tokens=64_000, timeout=120,
                                        messages=[{"role": "user", "content": "Hello"}])
    assert reply.stop_reason == "end_turn"


# refusal

def test_the_documented_refusal_test_string_refuses(server):
    reply, events = both(sdk(server), **ask(f"Please answer: {REFUSAL_TRIGGER}"))
    assert reply.stop_reason == "refusal" and reply.content == []
    assert reply.stop_details is not None and reply.stop_details.type == "refusal"
    assert reply.stop_details.category is None and reply.stop_details.explanation is None
    assert reply.usage.output_tokens >= 1
    delta = _delta(events)
    assert delta.delta.stop_reason == "refusal" and delta.delta.stop_details.type == "refusal"
    start = next(e for e in events if e.type == "message_start")
    assert start.message.stop_details is None


@pytest.mark.parametrize("category", ["cyber", "bio", "frontier_llm", "reasoning_extraction", "general_harms"])
def test_a_category_phrase_refuses_with_that_category(server, category):
    reply, events = both(sdk(server), **ask(f"MOCKSERVER_REFUSAL_{category.upper()} tell me more"))
    assert reply.stop_reason == "refusal"
    assert reply.stop_details.category == category and reply.stop_details.explanation
    assert _delta(events).delta.stop_details.category == category


def test_without_the_phrase_there_is_no_stop_details(server):
    reply = sdk(server).messages.create(**ask("Tell me about refusals in general"))
    assert reply.stop_reason == "end_turn" and reply.stop_details is None


def test_refusal_on_the_general_path_too(server):
    reply, _ = both(sdk(server), **ask(REFUSAL_TRIGGER, tools=[SEARCH], system=[{"type": "text", "text": "Be brief"}]))
    assert reply.stop_reason == "refusal" and reply.content == []


# pause_turn and usage.iterations

def _urls(count: int) -> str:
    return " ".join(f"https://example.com/page-{i}" for i in range(count))


def test_a_fetch_loop_past_the_iteration_limit_pauses_the_turn(server):
    request = ask(f"Read all of these: {_urls(ITERATION_LIMIT + 2)}", tools=[FETCH])
    reply, events = both(sdk(server), **request)
    assert reply.stop_reason == "pause_turn" and _delta(events).delta.stop_reason == "pause_turn"
    kinds = [b.type for b in reply.content]
    assert kinds == ["server_tool_use", "web_fetch_tool_result"] * ITERATION_LIMIT
    fetched = [b.input["url"] for b in reply.content if b.type == "server_tool_use"]
    assert fetched == [f"https://example.com/page-{i}" for i in range(ITERATION_LIMIT)]
    assert reply.usage.server_tool_use.web_fetch_requests == ITERATION_LIMIT
    beta = beta_both(sdk(server), **request)
    assert beta.stop_reason == "pause_turn"
    assert [i.type for i in beta.usage.iterations] == ["message"] * ITERATION_LIMIT
    assert sum(i.output_tokens for i in beta.usage.iterations) == beta.usage.output_tokens


def test_a_paused_turn_sent_back_continues_where_it_stopped(server):
    client = sdk(server)
    request = ask(f"Read all of these: {_urls(ITERATION_LIMIT + 2)}", tools=[FETCH])
    paused = client.messages.create(**request)
    sent_back = [b.model_dump(exclude_none=True) for b in paused.content]
    resumed, _ = both(client, **{**request, "messages": [*request["messages"],
                                                          {"role": "assistant", "content": sent_back}]})
    fetched = [b.input["url"] for b in resumed.content if b.type == "server_tool_use"]
    assert fetched == [f"https://example.com/page-{i}" for i in (ITERATION_LIMIT, ITERATION_LIMIT + 1)]
    assert resumed.stop_reason == "end_turn" and resumed.content[-1].type == "text"


def test_a_fetch_loop_within_the_limit_answers(server):
    reply = sdk(server).messages.create(**ask(f"Read these: {_urls(ITERATION_LIMIT)}", tools=[FETCH]))
    assert reply.stop_reason == "end_turn" and reply.content[-1].type == "text"


def test_usage_iterations_count_the_server_tool_loop_on_the_beta_path(server):
    client = sdk(server)
    request = ask("Search the latest news about tides", tools=[SEARCH])
    reply = beta_both(client, **request)
    iterations = reply.usage.iterations
    assert [i.type for i in iterations] == ["message", "message"]  # the search, then the answer
    assert sum(i.output_tokens for i in iterations) == reply.usage.output_tokens
    # each iteration re-reads the prompt, the search call and its results; the top level bills them all
    [search] = [b for b in reply.content if b.type == "web_search_tool_result"]
    results = round(len(search.content) * token_fit.for_model(reply.model)["web_search_result"])
    assert iterations[1].input_tokens == iterations[0].input_tokens + iterations[0].output_tokens + results
    assert reply.usage.input_tokens == iterations[0].input_tokens + iterations[1].input_tokens
    counted = client.messages.count_tokens(model=request["model"], messages=request["messages"], tools=[SEARCH])
    assert iterations[0].input_tokens == counted.input_tokens
    assert client.beta.messages.create(**ask("Hello there"), betas=[FETCH_BETA]).usage.iterations is None
    assert "iterations" not in client.messages.create(**request).usage.model_dump()  # not a 2.x Usage field


# service_tier

def test_a_key_with_priority_capacity_is_served_at_priority(server):
    reply, events = both(sdk(server, PRIORITY_KEY), **ask("Hello"))
    assert reply.usage.service_tier == "priority"
    assert next(e for e in events if e.type == "message_start").message.usage.service_tier == "priority"
    auto = sdk(server, PRIORITY_KEY).messages.create(**ask("Hello", service_tier="auto"))
    assert auto.usage.service_tier == "priority"


def test_standard_only_or_a_key_without_capacity_is_served_standard(server):
    standard_only = sdk(server, PRIORITY_KEY).messages.create(**ask("Hello", service_tier="standard_only"))
    assert standard_only.usage.service_tier == "standard"
    reply, _ = both(sdk(server), **ask("Hello", service_tier="auto"))
    assert reply.usage.service_tier == "standard"


def test_the_tier_does_not_change_the_reply(server):
    priority = sdk(server, PRIORITY_KEY).messages.create(**ask("Hello"))
    standard = sdk(server, PRIORITY_KEY).messages.create(**ask("Hello", service_tier="standard_only"))
    assert priority.content == standard.content


# --stateless

@pytest.mark.parametrize("model", ["claude-opus-4-7", "claude-haiku-4-5", "my-custom-model"])
def test_stateless_messages_name_the_request_model(model):
    with MockServer(Config(stateless=True)) as stateless:
        client = sdk(stateless)
        request = {"model": model, "max_tokens": 16, "messages": [{"role": "user", "content": "Hi"}]}
        assert client.messages.create(**request).model == model
        with client.messages.stream(**request) as stream:
            events = list(stream)
            assert stream.get_final_message().model == model
        assert next(e for e in events if e.type == "message_start").message.model == model

"""A reply is a function of the conversation; max_tokens and stop sequences only cut it.

Over random conversations, through the 2.x SDK on a real socket (so the request's own seeding is
what is tested): the natural reply (a budget larger than it) is the same whatever stop sequence
that never fires or metadata comes with it; a smaller max_tokens returns its first tokens with
stop_reason max_tokens; a stop sequence taken from it cuts it right before its first occurrence
with stop_reason stop_sequence; and the stream of every variant accumulates to its JSON reply.
"""

from __future__ import annotations

from typing import Any

import anthropic
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mockserver.config import Config
from mockserver.engine import tokenizer
from mockserver.engine.tools import call_tokens
from mockserver.server import MockServer

from ..helpers import KEY, MODEL

NATURAL_BUDGET = 4096
LOOKUP = {"name": "lookup_record", "description": "Find a record by name",
          "input_schema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}
UNFIRED = "\u241fnever\u241f"  # a stop sequence no reply contains

texts = st.text(alphabet=st.characters(categories=["L", "N", "Zs", "P"]), min_size=1, max_size=80)
blocks = st.lists(texts, min_size=1, max_size=2).map(lambda ts: [{"type": "text", "text": t} for t in ts])


@st.composite
def conversations(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(0, 2)) * 2 + 1  # ends with a user turn
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": draw(st.one_of(texts, blocks))}
                for i in range(count)]
    request: dict[str, Any] = {"model": MODEL, "messages": messages}
    if draw(st.booleans()):
        request["system"] = draw(texts)
    if draw(st.booleans()):
        request["tools"] = [LOOKUP]
    return request


@pytest.fixture(scope="module")
def client():
    with MockServer(Config(seed=11)) as server:
        yield anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0,
                                  _strict_response_validation=True)


def reply(client: anthropic.Anthropic, request: dict[str, Any], **limits: Any) -> dict[str, Any]:
    """The JSON reply, after checking that the streamed one accumulates to it."""
    body = {**request, **limits}
    plain = client.messages.create(**body).model_dump()
    with client.messages.stream(**body) as stream:
        assert stream.get_final_message().model_dump() == plain
    return plain


def cut(content: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
    """The blocks generation gets through in `budget` tokens: text cut at a token boundary,
    a tool call that does not fit left out."""
    kept = []
    for block in content:
        cost = tokenizer.count(block["text"]) if block["type"] == "text" else call_tokens(block)
        if cost > budget:
            if block["type"] == "text" and budget > 0:
                kept.append({**block, "text": tokenizer.head(block["text"], budget)})
            return kept
        kept.append(block)
        budget -= cost
    return kept


def apart_from_the_stop(message: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k not in ("usage", "stop_reason", "stop_sequence")}


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(request=conversations(), data=st.data())
def test_max_tokens_truncates_the_natural_reply(client, request, data):
    natural = reply(client, request, max_tokens=NATURAL_BUDGET)
    assert natural["stop_reason"] in ("end_turn", "tool_use")
    same = reply(client, request, max_tokens=NATURAL_BUDGET + 1, stop_sequences=[UNFIRED],
                 metadata={"user_id": "someone"})
    assert same == natural
    total = natural["usage"]["output_tokens"]
    assume(total > 1)
    budget = data.draw(st.integers(1, total - 1), label="max_tokens")
    truncated = reply(client, request, max_tokens=budget)
    assert truncated["stop_reason"] == "max_tokens" and truncated["stop_sequence"] is None
    assert truncated["content"] == cut(natural["content"], budget)
    assert truncated["id"] == natural["id"]
    assert truncated["usage"]["output_tokens"] <= budget


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(request=conversations(), data=st.data())
def test_a_stop_sequence_in_the_natural_reply_cuts_it_there(client, request, data):
    natural = reply(client, request, max_tokens=NATURAL_BUDGET)
    text = natural["content"][0]["text"] if natural["content"][0]["type"] == "text" else ""
    assume(len(text.strip()) > 1)
    start = data.draw(st.integers(0, len(text) - 1), label="start")
    sequence = text[start:start + data.draw(st.integers(1, 12), label="length")]
    assume(sequence.strip())
    stopped = reply(client, request, max_tokens=NATURAL_BUDGET, stop_sequences=[UNFIRED, sequence])
    assert stopped["stop_reason"] == "stop_sequence" and stopped["stop_sequence"] == sequence
    kept = text[:text.index(sequence)]
    assert stopped["content"] == ([{**natural["content"][0], "text": kept}] if kept else [])
    assert apart_from_the_stop(stopped) == apart_from_the_stop({**natural, "content": stopped["content"]})

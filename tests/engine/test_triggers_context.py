"""Context management through the 2.x SDK over a real socket, JSON and streamed: the request
shapes that make the mock clear tool uses, clear thinking, and compact (the table in docs/behaviour.md)."""

from __future__ import annotations

import math
from typing import Any

import anthropic
import pytest
from anthropic.types.beta import BetaMessage
from hypothesis import given
from hypothesis import strategies as st

from mockserver.config import Config
from mockserver.engine import context_edits, count_tokens, create_message, token_fit
from mockserver.engine.tokenizer import Memo, count
from mockserver.server import MockServer

from ..helpers import KEY, MODEL
from . import support

EDITING = ["context-management-2025-06-27"]
COMPACT = ["compact-2026-01-12"]
SEA = "The sea is wide and deep. "  # 7 tokens of the tokenizer
RESULT = "Reading 42 is steady across the harbour today. " * 60


@pytest.fixture(scope="module")
def client():
    with MockServer(Config(seed=5)) as running:
        yield anthropic.Anthropic(base_url=running.base_url, api_key=KEY, max_retries=0,
                                  _strict_response_validation=True)


def tool_conversation(uses: int, name: str = "get_reading", first: int = 0) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Check the readings, one call at a time."}]
    for i in range(first, first + uses):
        messages.append({"role": "assistant", "content": [
            {"type": "tool_use", "id": f"toolu_{i:02d}", "name": name, "input": {"station": f"s{i}"}}]})
        messages.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": f"toolu_{i:02d}", "content": RESULT}]})
    return messages


READING_TOOL = {"name": "get_reading", "description": "A station reading",
                "input_schema": {"type": "object", "properties": {"station": {"type": "string"}}}}


def managed_request(messages: list[dict[str, Any]], *edits: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 200, "messages": messages, "tools": [READING_TOOL],
            "context_management": {"edits": list(edits)}, **extra}


def create_both(client: anthropic.Anthropic, request: dict[str, Any], betas: list[str]) -> tuple[Any, Any]:
    """The JSON reply and the streamed one, which must accumulate to the same message."""
    plain = client.beta.messages.create(**request, betas=betas)
    with client.beta.messages.stream(**request, betas=betas) as stream:
        streamed = stream.get_final_message()
    assert _dumped(streamed) == _dumped(plain)
    return plain, streamed


def _dumped(message: Any) -> dict[str, Any]:
    dumped = message.model_dump(exclude={"id"})
    for block in dumped["content"]:
        block.pop("parsed_output", None)
    return dumped


def test_clear_tool_uses_over_its_input_token_trigger_clears_the_oldest_results(client):
    request = managed_request(tool_conversation(5), {"type": "clear_tool_uses_20250919",
                                                     "trigger": {"type": "input_tokens", "value": 2_000},
                                                     "keep": {"type": "tool_uses", "value": 2}})
    plain, streamed = create_both(client, request, EDITING)
    [edit] = plain.context_management.applied_edits
    assert edit.type == "clear_tool_uses_20250919" and edit.cleared_tool_uses == 3
    counted = client.beta.messages.count_tokens(**{k: v for k, v in request.items() if k != "max_tokens"},
                                                betas=EDITING)
    assert counted.context_management.original_input_tokens - counted.input_tokens == edit.cleared_input_tokens > 0
    assert plain.usage.input_tokens == counted.input_tokens
    assert streamed.context_management == plain.context_management


def test_clear_tool_uses_below_its_trigger_applies_nothing(client):
    request = managed_request(tool_conversation(5), {"type": "clear_tool_uses_20250919"})  # default 100,000
    plain, streamed = create_both(client, request, EDITING)
    assert plain.context_management.applied_edits == []
    assert streamed.context_management.applied_edits == []


def test_clear_tool_uses_with_a_tool_uses_trigger_counts_tool_uses(client):
    edit = {"type": "clear_tool_uses_20250919", "trigger": {"type": "tool_uses", "value": 4},
            "keep": {"type": "tool_uses", "value": 1}}
    over = client.beta.messages.create(**managed_request(tool_conversation(5), edit), betas=EDITING)
    at = client.beta.messages.create(**managed_request(tool_conversation(4), edit), betas=EDITING)
    assert [e.cleared_tool_uses for e in over.context_management.applied_edits] == [4]
    assert at.context_management.applied_edits == []


def test_exclude_tools_inputs_and_clear_at_least_shape_what_is_cleared():
    messages = tool_conversation(3) + tool_conversation(2, "keep_me", first=3)[1:]
    edit = {"type": "clear_tool_uses_20250919", "trigger": {"type": "tool_uses", "value": 0},
            "keep": {"type": "tool_uses", "value": 0}, "exclude_tools": ["keep_me"], "clear_tool_inputs": True}
    managed = context_edits.manage(managed_request(messages, edit), Memo())
    assert managed.applied[0]["cleared_tool_uses"] == 3
    seen = managed.request["messages"]
    cleared = [b for m in seen for b in m["content"] if isinstance(b, dict) and b.get("content") == context_edits.PLACEHOLDER]
    assert len(cleared) == 3
    assert [b["input"] for m in seen if m["role"] == "assistant" for b in m["content"]] == [{}, {}, {},
                                                                                        {"station": "s3"}, {"station": "s4"}]
    too_much = {**edit, "clear_at_least": {"type": "input_tokens", "value": managed.applied[0]["cleared_input_tokens"] + 1}}
    assert context_edits.manage(managed_request(messages, too_much), Memo()).applied == []


def thinking_conversation(turns: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = []
    for i in range(turns):
        messages.append({"role": "user", "content": f"Question {i} about tides?"})
        messages.append({"role": "assistant", "content": [
            {"type": "thinking", "thinking": f"Turn {i}: the moon pulls the water. " * 10, "signature": "c2ln"},
            {"type": "text", "text": f"Answer {i}."}]})
    messages.append({"role": "user", "content": "And the last one?"})
    return messages


def test_clear_thinking_keeps_the_last_turns_and_reports_the_others(client):
    request = {"model": MODEL, "max_tokens": 2_000, "messages": thinking_conversation(3),
               "thinking": {"type": "enabled", "budget_tokens": 1_024},
               "context_management": {"edits": [{"type": "clear_thinking_20251015",
                                                 "keep": {"type": "thinking_turns", "value": 1}}]}}
    plain, streamed = create_both(client, request, EDITING)
    [edit] = plain.context_management.applied_edits
    per_turn = round(token_fit.for_model(MODEL)["text"] * count("Turn 0: the moon pulls the water. " * 10))
    assert (edit.type, edit.cleared_thinking_turns, edit.cleared_input_tokens) == ("clear_thinking_20251015", 2,
                                                                                   2 * per_turn)
    assert streamed.context_management == plain.context_management
    request["context_management"]["edits"][0]["keep"] = "all"
    assert client.beta.messages.create(**request, betas=EDITING).context_management.applied_edits == []


def long_prompt(tokens: int) -> list[dict[str, Any]]:
    repeats = math.ceil(tokens / (7 * token_fit.for_model(MODEL)["text"]))  # SEA's cost in the model's family
    return [{"role": "user", "content": SEA * repeats}, {"role": "assistant", "content": "Noted."},
            {"role": "user", "content": "Write three sentences about the sea."}]


def compact_request(tokens: int, **edit: Any) -> dict[str, Any]:
    return {"model": MODEL, "max_tokens": 300, "messages": long_prompt(tokens),
            "context_management": {"edits": [{"type": "compact_20260112",
                                              "trigger": {"type": "input_tokens", "value": 50_000}, **edit}]}}


def test_compaction_over_its_trigger_opens_the_reply_with_a_summary(client):
    plain, streamed = create_both(client, compact_request(60_000), COMPACT)
    first, *rest = plain.content
    assert first.type == "compaction" and first.content and rest and rest[0].type == "text"
    assert plain.stop_reason == "end_turn"
    compaction, message = plain.usage.iterations
    assert (compaction.type, message.type) == ("compaction", "message")
    assert compaction.input_tokens > 50_000 and compaction.output_tokens > 0
    assert (plain.usage.input_tokens, plain.usage.output_tokens) == (message.input_tokens, message.output_tokens)
    assert message.input_tokens < 2_000
    assert streamed.usage.iterations == plain.usage.iterations


def test_compaction_streams_its_summary_in_one_compaction_delta(client):
    with client.beta.messages.stream(**compact_request(60_000), betas=COMPACT) as stream:
        events = list(stream)
    starts = [e for e in events if e.type == "content_block_start" and e.content_block.type == "compaction"]
    deltas = [e for e in events if e.type == "content_block_delta" and e.delta.type == "compaction_delta"]
    assert [s.index for s in starts] == [0] and starts[0].content_block.content is None
    assert len(deltas) == 1 and deltas[0].delta.content == stream.get_final_message().content[0].content


def test_pause_after_compaction_stops_with_the_compaction_alone(client):
    plain, streamed = create_both(client, compact_request(60_000, pause_after_compaction=True), COMPACT)
    assert plain.stop_reason == "compaction" and [b.type for b in plain.content] == ["compaction"]
    assert [i.type for i in plain.usage.iterations] == ["compaction"]
    assert streamed.stop_reason == "compaction"


def test_below_the_compaction_trigger_the_reply_is_uncompacted(client):
    below = client.beta.messages.create(**compact_request(40_000), betas=COMPACT)
    assert [b.type for b in below.content] == ["text"] and below.usage.iterations is None
    assert below.usage.input_tokens > 40_000 and below.context_management.applied_edits == []


def test_a_returned_compaction_block_replaces_what_it_summarised(client):
    first = client.beta.messages.create(**compact_request(60_000), betas=COMPACT)
    follow = compact_request(60_000)
    follow["messages"] += [{"role": "assistant", "content": [b.to_dict() for b in first.content]},
                           {"role": "user", "content": "Go on."}]
    again = client.beta.messages.create(**follow, betas=COMPACT)
    assert [b.type for b in again.content] == ["text"]
    assert again.usage.input_tokens < 2_000


edits = st.lists(st.one_of(
    st.builds(lambda value, keep, kind: {"type": "clear_tool_uses_20250919", "trigger": {"type": kind, "value": value},
                                         "keep": {"type": "tool_uses", "value": keep}},
              st.integers(0, 8_000), st.integers(0, 6), st.sampled_from(["input_tokens", "tool_uses"])),
    st.builds(lambda value, pause: {"type": "compact_20260112", "trigger": {"type": "input_tokens", "value": value},
                                    "pause_after_compaction": pause},
              st.integers(0, 8_000), st.booleans()),
), max_size=2)


@given(st.integers(0, 6), edits, st.integers(0, 2**32))
def test_managed_replies_agree_with_count_tokens_and_their_stream(uses, chosen, seed):
    request = managed_request(tool_conversation(uses), *chosen)
    message = create_message(request, support.ctx(seed))
    BetaMessage.model_validate(message)
    assert support.accumulate(message, beta=True) == message
    counted = count_tokens({k: v for k, v in request.items() if k != "max_tokens"}, support.ctx(seed))
    cleared = sum(e["cleared_input_tokens"] for e in message["context_management"]["applied_edits"])
    assert counted["context_management"]["original_input_tokens"] - counted["input_tokens"] == cleared
    compacted = message["content"] and message["content"][0]["type"] == "compaction"
    assert bool(compacted) == ("iterations" in message["usage"])
    if not compacted:
        assert message["usage"]["input_tokens"] == counted["input_tokens"]


def test_a_compaction_block_with_null_content_is_a_no_op():
    messages = long_prompt(3_000)
    messages[1] = {"role": "assistant", "content": [{"type": "compaction", "content": None}]}
    whole = context_edits.manage(compact_request(3_000) | {"messages": messages}, Memo())
    messages[1]["content"][0]["content"] = "Earlier: the sea."
    resumed = context_edits.manage(compact_request(3_000) | {"messages": messages}, Memo())
    assert whole.tokens > 3_000 > resumed.tokens

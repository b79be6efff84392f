"""Properties every generated Messages request must keep."""

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine import MemoryPromptCache, count_tokens, create_message, message_events
from mockserver.engine.answers import output_schema
from tests.engine.support import NOW, accumulate, ctx, message_requests, schemas, validate_message, validates

COUNT_FIELDS = ("model", "messages", "system", "tools", "tool_choice", "thinking", "output_config", "cache_control")


def _counted(request: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k in COUNT_FIELDS}


@given(message_requests(), st.integers(0, 2**32))
def test_messages_are_valid_and_deterministic(request: dict, seed: int) -> None:
    first = create_message(copy.deepcopy(request), ctx(seed))
    validate_message(first)
    assert create_message(copy.deepcopy(request), ctx(seed)) == first


@given(message_requests(), st.integers(0, 2**32))
def test_output_never_exceeds_max_tokens(request: dict, seed: int) -> None:
    message = create_message(request, ctx(seed))
    usage = message["usage"]
    assert usage["output_tokens"] <= request["max_tokens"]
    if request["max_tokens"] == 0:
        assert message["content"] == [] and message["stop_reason"] == "max_tokens"
    if usage.get("output_tokens_details"):
        assert usage["output_tokens_details"]["thinking_tokens"] <= usage["output_tokens"]
    budget = (request.get("thinking") or {}).get("budget_tokens")
    if budget is not None:
        assert usage.get("output_tokens_details", {}).get("thinking_tokens", 0) <= budget


@given(message_requests(), st.integers(0, 2**32))
def test_tool_inputs_validate_against_their_schemas(request: dict, seed: int) -> None:
    message = create_message(request, ctx(seed))
    schemas_by_name = {t["name"]: t["input_schema"] for t in request.get("tools", []) if "input_schema" in t}
    calls = [b for b in message["content"] if b["type"] == "tool_use"]
    for block in calls:
        assert validates(block["input"], schemas_by_name[block["name"]]), block
    choice = (request.get("tool_choice") or {}).get("type")
    if message["stop_reason"] == "tool_use":
        assert calls
    if choice == "none":
        assert not calls
    if choice in ("any", "tool") and message["stop_reason"] != "max_tokens":
        assert any(b["type"] in ("tool_use", "server_tool_use") for b in message["content"])
    if (request.get("tool_choice") or {}).get("disable_parallel_tool_use"):
        assert len(calls) <= 1


@given(message_requests(), st.integers(0, 2**32))
def test_count_tokens_matches_usage(request: dict, seed: int) -> None:
    message = create_message(request, ctx(seed))
    counted = count_tokens(_counted(request), ctx(seed))
    usage = message["usage"]
    cached = usage["cache_creation_input_tokens"] + usage["cache_read_input_tokens"]
    assert usage["cache_creation_input_tokens"] == sum(usage["cache_creation"].values())
    if any(b["type"] == "server_tool_use" for b in message["content"]):  # a loop bills each iteration's re-read
        assert usage["input_tokens"] + cached >= counted["input_tokens"]
        return
    assert counted == {"input_tokens": usage["input_tokens"] + cached}
    if "cache_control" not in json.dumps(request):
        assert counted == {"input_tokens": usage["input_tokens"]}


@given(message_requests(), st.integers(0, 2**32))
def test_stream_accumulates_to_the_message(request: dict, seed: int) -> None:
    message = create_message(request, ctx(seed))
    assert accumulate(message) == message
    assert accumulate(message, beta=True) == message


@given(message_requests(), st.integers(0, 2**32))
def test_stop_sequences_never_appear_in_text(request: dict, seed: int) -> None:
    message = create_message(request, ctx(seed))
    text = "".join(b["text"] for b in message["content"] if b["type"] == "text")
    for sequence in request.get("stop_sequences", []):
        assert sequence not in text
    if message["stop_reason"] == "stop_sequence":
        assert message["stop_sequence"] in request["stop_sequences"]
    else:
        assert message["stop_sequence"] is None


@given(schemas(), st.integers(0, 2**32))
def test_structured_outputs_validate(schema: dict, seed: int) -> None:
    import json

    request = {"model": "claude-haiku-4-5", "max_tokens": 4000, "output_config": {"format": {"type": "json_schema",
                                                                                                "schema": schema}},
               "messages": [{"role": "user", "content": "Extract the data"}]}
    message = create_message(request, ctx(seed))
    validate_message(message)
    assert output_schema(request) is schema
    if message["stop_reason"] == "end_turn":
        assert validates(json.loads(message["content"][0]["text"]), schema)


@given(message_requests(), st.integers(0, 2**32))
def test_a_repeated_request_reads_what_it_wrote(request: dict, seed: int) -> None:
    cache = MemoryPromptCache()
    first = create_message(request, ctx(seed, cache=cache))["usage"]
    second = create_message(request, ctx(seed, cache=cache, now=NOW + 10))["usage"]
    total = first["input_tokens"] + first["cache_creation_input_tokens"] + first["cache_read_input_tokens"]
    assert second["input_tokens"] + second["cache_creation_input_tokens"] + second["cache_read_input_tokens"] == total
    assert second["cache_creation_input_tokens"] == 0
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"] + first["cache_read_input_tokens"]


@given(message_requests(), st.integers(0, 2**32))
def test_stream_grammar_holds(request: dict, seed: int) -> None:
    message = create_message(request, ctx(seed))
    events = message_events(message)
    names = [name for name, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert names.count("ping") == 1
    opened = [e["index"] for name, e in events if name == "content_block_start"]
    closed = [e["index"] for name, e in events if name == "content_block_stop"]
    assert opened == closed == list(range(len(message["content"])))
    if message["content"]:
        assert names[1:3] == ["content_block_start", "ping"]
    assert events[0][1]["message"]["usage"]["output_tokens"] <= message["usage"]["output_tokens"]

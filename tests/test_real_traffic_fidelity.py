"""Requests the real API accepted in recorded traffic are accepted here, and the fields it sent are sent.

Each class below was seen in real recorded exchanges (the corpus in tests/fixtures/real-traffic/ and the
classes issue 21 lists); docs/real-traffic-fidelity.md names the evidence for each. Every class is
tried through the official SDK and raw HTTP, as JSON and as a stream, under both API versions where
the request is valid in both. What the real API refuses stays refused (the last tests).
"""

from __future__ import annotations

import json
from typing import Any

import anthropic
import httpx
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from .helpers import CURRENT, KEY, LEGACY, MODEL

BOTH = pytest.mark.parametrize("version", [LEGACY, CURRENT])
BOTH_STREAMED = pytest.mark.parametrize("version, stream", [(v, s) for v in (LEGACY, CURRENT) for s in (False, True)])
TOOL = {"name": "get_weather", "description": "Weather of a city",
        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
USER = {"role": "user", "content": "What is the weather in Paris?"}


@pytest.fixture(scope="module")
def server():
    with MockServer(Config(seed=21)) as running:
        yield running


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield client


def sdk(server, version: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0,
                               default_headers={"anthropic-version": version}, _strict_response_validation=True)


def post(http: httpx.Client, body: dict[str, Any], version: str, stream: bool = False) -> httpx.Response:
    payload = {"model": MODEL, "max_tokens": 256, **body, **({"stream": True} if stream else {})}
    return http.post("/v1/messages", json=payload, headers={"x-api-key": KEY, "anthropic-version": version})


def reply_of(response: httpx.Response) -> dict[str, Any]:
    """The message a reply carries: the JSON body, or the stream accumulated as a client does."""
    assert response.status_code == 200, response.text
    if not response.headers["content-type"].startswith("text/event-stream"):
        return response.json()
    message: dict[str, Any] = {}
    blocks: dict[int, dict[str, Any]] = {}
    for line in response.text.splitlines():
        if not line.startswith("data:"):
            continue
        event = json.loads(line[5:])
        if event["type"] == "message_start":
            message = event["message"]
        elif event["type"] == "content_block_start":
            blocks[event["index"]] = event["content_block"]
        elif event["type"] == "message_delta":
            message.update(event["delta"])
            message["usage"].update(event["usage"])
            message.update({k: v for k, v in event.items() if k not in ("type", "delta", "usage")})
    message["content"] = [blocks[i] for i in sorted(blocks)]
    return message


# ---- item 3: never stricter than the real API ------------------------------------------------------

NULL_OPTIONS = {"stop_sequences": None, "system": None, "metadata": None, "tools": None, "tool_choice": None,
                "thinking": None, "service_tier": None, "container": None, "output_config": None,
                "inference_geo": None}
LEGACY_ONLY_NULLS = {"temperature": None, "top_p": None, "top_k": None}  # 2026-10-21 dropped these fields


@BOTH_STREAMED
def test_null_for_every_optional_top_level_field(http, version, stream):
    nulls = {**NULL_OPTIONS, **(LEGACY_ONLY_NULLS if version == LEGACY else {})}
    message = reply_of(post(http, {"messages": [USER], **nulls}, version, stream))
    assert message["type"] == "message" and message["content"][0]["type"] == "text"


@BOTH
def test_null_options_in_count_tokens_and_batch_requests(http, version):
    api = {"x-api-key": KEY, "anthropic-version": version}
    counted = http.post("/v1/messages/count_tokens", headers=api,
                        json={"model": MODEL, "messages": [USER], "system": None, "tools": None, "thinking": None})
    assert counted.status_code == 200 and counted.json()["input_tokens"] > 0
    params = {"model": MODEL, "max_tokens": 64, "messages": [USER], "stop_sequences": None, "metadata": None}
    batch = http.post("/v1/messages/batches", headers=api,
                      json={"requests": [{"custom_id": "nulls", "params": params}]})
    assert batch.status_code == 200, batch.text
    assert batch.json()["request_counts"]["processing"] == 1


@BOTH
def test_null_for_a_beta_field_needs_its_beta_like_any_value(http, version):
    """Without its beta the field is unknown to the API, whatever its value; with it, null is absent."""
    body = {"model": MODEL, "max_tokens": 64, "messages": [USER], "context_management": None}
    refused = http.post("/v1/messages", json=body, headers={"x-api-key": KEY, "anthropic-version": version})
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "context_management: Extra inputs are not permitted"
    accepted = http.post("/v1/messages", json=body, headers={"x-api-key": KEY, "anthropic-version": version,
                                                             "anthropic-beta": "context-management-2025-06-27"})
    assert accepted.json()["context_management"] == {"applied_edits": []}


@BOTH
def test_null_stream_is_a_plain_reply(http, version):
    response = post(http, {"messages": [USER], "stream": None}, version)
    assert response.headers["content-type"].startswith("application/json")
    assert reply_of(response)["stop_reason"] == "end_turn"


@BOTH_STREAMED
def test_null_for_optional_fields_inside_tools_blocks_and_options(http, version, stream):
    tool = {**TOOL, "description": None, "cache_control": None, "strict": None}
    turn = {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?", "cache_control": None}]}
    body = {"messages": [turn], "tools": [tool], "tool_choice": {"type": "auto", "disable_parallel_tool_use": None},
            "metadata": {"user_id": None}, "output_config": {"effort": None}}
    message = reply_of(post(http, body, version, stream))
    assert message["content"][-1]["type"] == "tool_use" and message["content"][-1]["name"] == "get_weather"


@BOTH
def test_a_null_inside_tool_input_schema_is_data_and_kept(http, version):
    """Free-form objects are not touched: a `null` default in a tool's schema is the client's data."""
    tool = {**TOOL, "input_schema": {"type": "object", "properties": {"city": {"type": ["string", "null"],
                                                                              "default": None}}}}
    body = {"messages": [USER], "tools": [tool], "tool_choice": {"type": "tool", "name": "get_weather"}}
    assert post(http, body, version).status_code == 200


@BOTH
def test_sdk_sends_none_for_optional_parameters(server, version):
    client = sdk(server, version)
    sampling = LEGACY_ONLY_NULLS if version == LEGACY else {}  # the 2.x SDK has no sampling parameters
    message = client.messages.create(  # type: ignore[call-overload]
        model=MODEL, max_tokens=64, messages=[USER], stop_sequences=None, system=None, metadata=None,
        extra_body=sampling)
    assert message.content[0].type == "text"


@BOTH_STREAMED
def test_consecutive_turns_of_one_role_are_merged_not_refused(http, version, stream):
    turns = [USER, {"role": "user", "content": "And in Lyon?"},
             {"role": "assistant", "content": "Let me see."}, {"role": "assistant", "content": "One moment."},
             {"role": "user", "content": "Well?"}]
    assert reply_of(post(http, {"messages": turns}, version, stream))["role"] == "assistant"


@BOTH_STREAMED
def test_a_conversation_may_open_with_an_assistant_turn(http, version, stream):
    """Recorded (activeagent messages_test): an assistant turn first, then the user's."""
    turns = [{"role": "assistant", "content": "I can help with programming questions."},
             {"role": "user", "content": "What are the benefits of ActiveRecord?"}]
    assert reply_of(post(http, {"messages": turns}, version, stream))["content"][0]["type"] == "text"


HISTORY_WITH_TOOL_BLOCKS = [
    USER,
    {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_01A", "name": "get_weather",
                                       "input": {"city": "Paris"}}]},
    {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A", "content": "18°C, clear"}]},
]


@BOTH_STREAMED
def test_tool_blocks_in_the_history_need_no_tools_declared(http, version, stream):
    message = reply_of(post(http, {"messages": HISTORY_WITH_TOOL_BLOCKS}, version, stream))
    assert [block["type"] for block in message["content"]] == ["text"]
    assert message["stop_reason"] == "end_turn"


@BOTH
def test_sdk_tool_history_without_tools(server, version):
    message = sdk(server, version).messages.create(model=MODEL, max_tokens=64, stream=True,
                                                   messages=HISTORY_WITH_TOOL_BLOCKS)  # type: ignore[arg-type]
    events = list(message)
    assert events[0].type == "message_start" and events[-1].type == "message_stop"
    assert {e.content_block.type for e in events if e.type == "content_block_start"} == {"text"}


@pytest.mark.parametrize("choice", [{"type": "any"}, {"type": "tool", "name": "get_weather"}])
@BOTH_STREAMED
def test_adaptive_thinking_with_a_forced_tool_choice(http, version, stream, choice):
    body = {"messages": [USER], "max_tokens": 2048, "thinking": {"type": "adaptive"}, "tools": [TOOL],
            "tool_choice": choice}
    message = reply_of(post(http, body, version, stream))
    kinds = [block["type"] for block in message["content"]]
    assert kinds[-1] == "tool_use" and message["content"][-1]["name"] == "get_weather"
    assert message["stop_reason"] == "tool_use"
    assert set(kinds[:-1]) <= {"thinking"}


@BOTH
def test_sdk_adaptive_thinking_with_a_forced_tool(server, version):
    message = sdk(server, version).messages.create(
        model=MODEL, max_tokens=2048, messages=[USER], thinking={"type": "adaptive"},
        tools=[TOOL], tool_choice={"type": "tool", "name": "get_weather"})  # type: ignore[list-item]
    assert message.content[-1].type == "tool_use"


@BOTH
def test_a_reply_sent_back_unchanged_is_accepted(server, version):
    """The SDK helpers put `response.content` back into the history, every field it came with
    (`caller`, `citations: null`, server-tool results): the API takes them all, turn after turn."""
    client = sdk(server, version)
    tools = [TOOL, {"type": "web_search_20250305", "name": "web_search"}]
    history: list = [{"role": "user", "content": "Search the web for Paris weather, then call get_weather for Paris."}]
    seen: set[str] = set()
    for _ in range(3):  # the agent loop: whatever the model did, its reply goes back as it came
        reply = client.messages.create(model=MODEL, max_tokens=400, tools=tools,  # type: ignore[list-item]
                                       messages=history)  # type: ignore[arg-type]
        seen |= {block.type for block in reply.content}
        history.append({"role": "assistant", "content": reply.content})
        calls = [block for block in reply.content if block.type == "tool_use"]
        if not calls:
            break
        history.append({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": call.id, "content": "18°C"} for call in calls]})
    assert {"server_tool_use", "web_search_tool_result"} <= seen, seen
    assert reply.role == "assistant"


@BOTH_STREAMED
def test_citations_sent_back_with_the_file_id_the_reply_carried(http, version, stream):
    cited = {"type": "text", "text": "It is sunny.", "citations": [
        {"type": "char_location", "cited_text": "sunny", "document_index": 0, "document_title": None,
         "start_char_index": 0, "end_char_index": 5, "file_id": None},
        {"type": "page_location", "cited_text": "sunny", "document_index": 0, "document_title": "Report",
         "start_page_number": 1, "end_page_number": 2, "file_id": "file_011CNha8iCJcU1wXNR6q4V8w"}]}
    turns = [USER, {"role": "assistant", "content": [cited]}, {"role": "user", "content": "Thanks. Tomorrow?"}]
    assert reply_of(post(http, {"messages": turns}, version, stream))["role"] == "assistant"


# ---- what the real API refuses stays refused ------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"messages": [{"role": ["user"], "content": None}], "system": None},
    {"messages": [{"role": "user", "content": [{"type": {"a": 1}, "text": None}]}]},
    {"messages": [None, 5, "x"], "tools": [None, {"type": [1], "name": None}]},
])
def test_hostile_bodies_with_nulls_get_a_400_not_a_crash(http, body):
    response = post(http, body, CURRENT)
    assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_request_error"


@BOTH
def test_null_for_a_required_field_is_still_refused(http, version):
    response = post(http, {"messages": [USER], "max_tokens": None}, version)
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("max_tokens:")


@BOTH
def test_enabled_thinking_with_a_forced_tool_is_still_refused(http, version):
    body = {"messages": [USER], "max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": 1024},
            "tools": [TOOL], "tool_choice": {"type": "any"}}
    response = post(http, body, version)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Thinking may not be enabled when tool_choice forces tool use."


@BOTH
def test_an_unanswered_tool_use_is_still_refused_without_tools(http, version):
    turns = HISTORY_WITH_TOOL_BLOCKS[:2] + [{"role": "user", "content": "and?"}]
    response = post(http, {"messages": turns}, version)
    assert response.status_code == 400
    assert "`tool_use` ids were found without `tool_result` blocks" in response.json()["error"]["message"]


# ---- item 4: every field the real API sends -------------------------------------------------------

THINKING = [{"type": "enabled", "budget_tokens": 1024}, {"type": "adaptive"}]


@pytest.mark.parametrize("thinking", THINKING)
@BOTH_STREAMED
def test_thinking_replies_count_their_thinking_tokens(http, version, stream, thinking):
    """Real replies with thinking on carry `usage.output_tokens_details.thinking_tokens` (in the
    stream: in message_delta's usage, not message_start's)."""
    response = post(http, {"messages": [{"role": "user", "content": "Think it over: why is the sky blue?"}],
                           "max_tokens": 4096, "thinking": thinking}, version, stream)
    usage = reply_of(response)["usage"]
    assert usage["output_tokens_details"]["thinking_tokens"] >= 0
    assert usage["output_tokens_details"]["thinking_tokens"] <= usage["output_tokens"]
    if stream:
        start = next(json.loads(line[5:]) for line in response.text.splitlines() if '"message_start"' in line)
        assert "output_tokens_details" not in start["message"]["usage"]


@BOTH_STREAMED
def test_adaptive_only_models_count_thinking_tokens_on_every_reply(http, version, stream):
    """Recorded (activeagent, claude-sonnet-5): `output_tokens_details` with no thinking requested,
    and with thinking disabled. A model that also takes `enabled` thinking reports it only when on."""
    for thinking in ({}, {"thinking": {"type": "disabled"}}):
        body = {"model": "claude-sonnet-5", "messages": [USER], **thinking}
        assert "thinking_tokens" in reply_of(post(http, body, version, stream))["usage"]["output_tokens_details"]
    assert "output_tokens_details" not in reply_of(post(http, {"messages": [USER]}, version, stream))["usage"]


@BOTH
def test_max_tokens_up_to_what_a_recorded_request_used(http, version):
    """Recorded (ruby_llm compaction): claude-sonnet-4-6 answered a request for 128,000 output tokens."""
    body = {"model": "claude-sonnet-4-6", "messages": [USER], "max_tokens": 128_000}
    assert post(http, body, version).status_code == 200


@BOTH
def test_sdk_reads_thinking_tokens_strictly(server, version):
    message = sdk(server, version).messages.create(
        model=MODEL, max_tokens=4096, thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[{"role": "user", "content": "Think first: what is 6 times 7?"}])
    assert message.content[0].type == "thinking"
    assert message.usage.output_tokens_details is not None


@BOTH_STREAMED
def test_usage_and_message_keys_every_real_reply_has(http, version, stream):
    """Keys every recorded reply of 2026 carries: stop_details, and usage's cache_creation split,
    service_tier and inference_geo."""
    message = reply_of(post(http, {"messages": [USER]}, version, stream))
    assert "stop_details" in message
    usage = message["usage"]
    assert set(usage["cache_creation"]) == {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"}
    assert usage["service_tier"] == "standard" and isinstance(usage["inference_geo"], str)


@BOTH_STREAMED
def test_tool_calls_and_server_tool_results_name_their_caller(http, version, stream):
    tools = [TOOL, {"type": "web_search_20250305", "name": "web_search"}]
    history: list = [{"role": "user", "content": "Search the web for Paris, then call get_weather for Paris."}]
    calls: list = []
    searched = 0
    for _ in range(3):  # the agent loop: the client tool and the search may come in either order
        message = reply_of(post(http, {"messages": history, "tools": tools, "max_tokens": 400}, version, stream))
        calls += [b for b in message["content"] if b["type"] in ("tool_use", "server_tool_use", "web_search_tool_result")]
        searched += (message["usage"].get("server_tool_use") or {}).get("web_search_requests") or 0
        history.append({"role": "assistant", "content": message["content"]})
        uses = [b for b in message["content"] if b["type"] == "tool_use"]
        if not uses:
            break
        history.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": b["id"], "content": "18°C"}
                                                     for b in uses]})
    assert {b["type"] for b in calls} == {"tool_use", "server_tool_use", "web_search_tool_result"}
    assert all(b["caller"] == {"type": "direct"} for b in calls)  # recorded: ruby_llm web search, crewai tools
    assert searched >= 1


@BOTH_STREAMED
def test_a_web_fetch_result_names_its_caller(http, version, stream):
    body = {"messages": [{"role": "user", "content": "Fetch https://example.com/report and sum it up."}],
            "tools": [{"type": "web_fetch_20250910", "name": "web_fetch"}], "max_tokens": 400}
    payload = {"model": MODEL, **body, **({"stream": True} if stream else {})}
    response = http.post("/v1/messages", json=payload, headers={"x-api-key": KEY, "anthropic-version": version,
                                                               "anthropic-beta": "web-fetch-2025-09-10"})
    results = [b for b in reply_of(response)["content"] if b["type"] == "web_fetch_tool_result"]
    assert results and results[0]["caller"] == {"type": "direct"}


CONTEXT_BETA = "context-management-2025-06-27"


@BOTH_STREAMED
def test_the_context_management_beta_alone_reports_no_applied_edits(http, version, stream):
    """Recorded (dd-trace-py, tool search under the context-management beta): the reply carries
    `context_management: {applied_edits: []}` though the request set no edits."""
    payload = {"model": MODEL, "max_tokens": 200, "messages": [USER], **({"stream": True} if stream else {})}
    response = http.post("/v1/messages?beta=true", json=payload,
                         headers={"x-api-key": KEY, "anthropic-version": version, "anthropic-beta": CONTEXT_BETA})
    assert reply_of(response)["context_management"] == {"applied_edits": []}
    without = reply_of(post(http, {"messages": [USER]}, version, stream))
    assert "context_management" not in without


@BOTH
def test_sdk_beta_reads_context_management_strictly(server, version):
    message = sdk(server, version).beta.messages.create(model=MODEL, max_tokens=64, messages=[USER],
                                                         betas=[CONTEXT_BETA])
    assert message.context_management is not None and message.context_management.applied_edits == []


@BOTH_STREAMED
def test_each_server_tool_iteration_splits_its_cache_writes(http, version, stream):
    body = {"messages": [{"role": "user", "content": "Search the web for the weather in Paris."}], "max_tokens": 400,
            "tools": [{"type": "web_search_20250305", "name": "web_search"}]}
    payload = {"model": MODEL, **body, **({"stream": True} if stream else {})}
    response = http.post("/v1/messages?beta=true", json=payload,
                         headers={"x-api-key": KEY, "anthropic-version": version})
    iterations = reply_of(response)["usage"]["iterations"]
    assert len(iterations) >= 1
    for iteration in iterations:
        assert set(iteration["cache_creation"]) == {"ephemeral_5m_input_tokens", "ephemeral_1h_input_tokens"}


# ---- the spec: every field a reply's block carries is taken back in the history --------------------

def _members(schema: Any, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
    if not isinstance(schema, dict):
        return []
    if schema.get("type") == "array":
        return _members(schema.get("items"), schemas)
    if "anyOf" in schema or "oneOf" in schema:
        return [m for sub in schema.get("anyOf") or schema["oneOf"] for m in _members(sub, schemas)]
    return [schema] if "properties" in schema else []


def _type_of(schema: dict[str, Any]) -> Any:
    kind = schema["properties"].get("type", {})
    return kind.get("const", next((k.get("const") for k in kind.get("anyOf", []) if "const" in k), None))


def _refused_echoes(reply: Any, history: Any, schemas: dict[str, Any], path: str, seen: set) -> list[str]:
    """Fields of reply shapes that the matching history shapes (same `type`) would refuse."""
    found: list[str] = []
    wanted = _members(history, schemas)
    for shape in _members(reply, schemas):
        twins = [w for w in wanted if _type_of(w) == _type_of(shape)]
        if not twins or (id(shape), id(twins[0])) in seen or twins[0].get("additionalProperties") is not False:
            continue
        seen.add((id(shape), id(twins[0])))
        for name, sub in shape["properties"].items():
            where = f"{path}[{_type_of(shape)}].{name}"
            if name not in twins[0]["properties"]:
                found.append(where)
            else:
                found += _refused_echoes(sub, twins[0]["properties"][name], schemas, where, seen)
    return found


@BOTH
def test_every_field_of_a_reply_block_is_accepted_back_as_history(version):
    from mockserver.config import DEFAULT_SPEC
    from mockserver.spec.loader import load_spec, schemas_for_version

    schemas = schemas_for_version(load_spec(DEFAULT_SPEC), version)
    assistant_content = schemas["AssistantMessageParam"]["properties"]["content"]
    assert _refused_echoes({"$ref": "#/components/schemas/ContentBlock"}, assistant_content, schemas,
                           "content", set()) == []

"""The documented rules of the reply engine, one scenario each."""

import base64
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.engine import EngineContext, MemoryPromptCache, count_tokens, create_message, message_events
from mockserver.engine import answers, token_fit
from mockserver.engine.thinking import REDACTED_TRIGGER
from tests.engine.support import NOW, accumulate, ctx, validate_message, validates

MODEL = "claude-haiku-4-5"
WEATHER = {"name": "get_weather", "description": "Current weather for a city",
           "input_schema": {"type": "object", "properties": {"location": {"type": "string"},
                                                             "unit": {"enum": ["celsius", "fahrenheit"]}},
                            "required": ["location"]}}
STOCK = {"name": "get_stock_price", "input_schema": {"type": "object", "properties": {"ticker": {"type": "string"}},
                                                     "required": ["ticker"]}}


def ask(text, seed=1, context=None, **fields):
    request = {"model": MODEL, "max_tokens": 1024, "messages": [{"role": "user", "content": text}], **fields}
    message = create_message(request, context or ctx(seed))
    validate_message(message)
    assert accumulate(message) == message
    return message


def kinds(message):
    return [b["type"] for b in message["content"]]


def test_plain_reply_shape() -> None:
    message = ask("Hello, Claude")
    assert message["id"].startswith("msg_")
    assert message["type"] == "message" and message["role"] == "assistant"
    assert kinds(message) == ["text"] and message["stop_reason"] == "end_turn"
    assert message["usage"]["service_tier"] == "standard"


def test_alias_is_answered_with_the_concrete_id() -> None:
    assert ask("hi")["model"] == "claude-haiku-4-5-20251001"
    assert create_message({"model": "claude-opus-4-6", "max_tokens": 5, "messages": [
        {"role": "user", "content": "hi"}]}, ctx())["model"] == "claude-opus-4-6"


def test_same_seed_same_bytes_other_seed_other_reply() -> None:
    assert ask("Tell me about tides", seed=7) == ask("Tell me about tides", seed=7)
    assert ask("Tell me about tides", seed=7)["id"] != ask("Tell me about tides", seed=8)["id"]


def test_reply_length_grows_with_the_prompt() -> None:
    short = [ask("Hi", seed=s)["usage"]["output_tokens"] for s in range(20)]
    long = [ask("Please explain " + "the history of the printing press " * 40, seed=s)["usage"]["output_tokens"]
            for s in range(20)]
    assert sum(long) > sum(short) + 20 * 40


def test_echo_mode_answers_with_the_last_user_text() -> None:
    message = ask("Repeat exactly this", context=ctx(reply_mode="echo"))
    assert message["content"][0]["text"] == "Repeat exactly this"


def test_max_tokens_cuts_at_a_token_boundary() -> None:
    message = ask("Write a long essay " * 20, max_tokens=7)
    assert message["stop_reason"] == "max_tokens"
    assert message["usage"]["output_tokens"] == 7


def test_max_tokens_zero_prewarms_without_content() -> None:
    message = ask("Cache me", max_tokens=0)
    assert message["content"] == [] and message["stop_reason"] == "max_tokens"
    assert message["usage"]["output_tokens"] == 0


def test_stop_sequence_named_in_the_prompt_stops_after_the_first_sentence() -> None:
    message = ask("Answer, then write DONE when finished", stop_sequences=["DONE"])
    assert message["stop_reason"] == "stop_sequence" and message["stop_sequence"] == "DONE"
    text = message["content"][0]["text"]
    assert text.endswith((".", "!", "?")) and text.count(". ") == 0


def test_stop_sequence_in_the_system_prompt_counts_too() -> None:
    message = ask("Hello", system="Always finish with </answer>", stop_sequences=["</answer>"])
    assert message["stop_sequence"] == "</answer>"


def test_unmentioned_stop_sequence_does_not_stop() -> None:
    assert ask("Hello", stop_sequences=["XYZZY"])["stop_reason"] == "end_turn"


def test_auto_calls_a_tool_whose_name_words_are_mentioned() -> None:
    message = ask("What's the weather in Paris?", tools=[WEATHER, STOCK])
    assert kinds(message) == ["text", "tool_use"]
    call = message["content"][1]
    assert call["name"] == "get_weather" and call["id"].startswith("toolu_")
    assert call["caller"] == {"type": "direct"}
    assert validates(call["input"], WEATHER["input_schema"])
    assert message["stop_reason"] == "tool_use"


def test_auto_calls_several_tools_in_parallel_unless_disabled() -> None:
    text = "Check the weather in Oslo and the stock price of ACME"
    assert kinds(ask(text, tools=[WEATHER, STOCK])) == ["text", "tool_use", "tool_use"]
    single = ask(text, tools=[WEATHER, STOCK], tool_choice={"type": "auto", "disable_parallel_tool_use": True})
    assert kinds(single) == ["text", "tool_use"]


def test_auto_answers_in_text_when_no_tool_is_mentioned() -> None:
    assert kinds(ask("Tell me a story", tools=[WEATHER])) == ["text"]


def test_any_forces_a_tool_without_preamble() -> None:
    message = ask("Tell me a story", tools=[WEATHER, STOCK], tool_choice={"type": "any"})
    assert kinds(message) == ["tool_use"] and message["content"][0]["name"] == "get_weather"


def test_tool_choice_tool_calls_the_named_tool() -> None:
    message = ask("What's the weather?", tools=[WEATHER, STOCK], tool_choice={"type": "tool", "name": "get_stock_price"})
    assert [b["name"] for b in message["content"]] == ["get_stock_price"]


def test_tool_choice_none_never_calls() -> None:
    assert kinds(ask("What's the weather?", tools=[WEATHER], tool_choice={"type": "none"})) == ["text"]


def test_a_tool_result_turn_gets_a_text_answer() -> None:
    first = ask("What's the weather in Paris?", tools=[WEATHER])
    call = first["content"][1]
    request = {"model": MODEL, "max_tokens": 500, "tools": [WEATHER], "messages": [
        {"role": "user", "content": "What's the weather in Paris?"},
        {"role": "assistant", "content": first["content"]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "18C, sunny"}]},
    ]}
    message = create_message(request, ctx())
    validate_message(message)
    assert kinds(message) == ["text"] and message["stop_reason"] == "end_turn"
    assert "get_weather" in message["content"][0]["text"]


def test_thinking_comes_first_within_budget_with_signature() -> None:
    message = ask("Think it through", max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 1024})
    thinking = message["content"][0]
    assert thinking["type"] == "thinking" and thinking["thinking"] and thinking["signature"]
    base64.b64decode(thinking["signature"])
    details = message["usage"]["output_tokens_details"]
    assert 0 < details["thinking_tokens"] <= 1024
    assert kinds(message) == ["thinking", "text"]


def test_omitted_thinking_has_empty_text_but_is_billed() -> None:
    message = create_message({"model": "claude-opus-4-7", "max_tokens": 2000, "thinking": {
        "type": "adaptive", "display": "omitted"}, "messages": [{"role": "user", "content": "Plan a trip"}]}, ctx())
    validate_message(message)
    assert message["content"][0] == {"type": "thinking", "thinking": "", "signature": message["content"][0]["signature"]}
    assert message["usage"]["output_tokens_details"]["thinking_tokens"] > 0
    assert accumulate(message) == message


def test_redacted_thinking_test_string() -> None:
    message = ask(REDACTED_TRIGGER, max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 1024})
    assert kinds(message)[0] == "redacted_thinking"


def test_structured_output_is_json_matching_the_schema() -> None:
    schema = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0}},
              "required": ["name", "age"], "additionalProperties": False}
    message = ask("Extract: Ana is 31", output_config={"format": {"type": "json_schema", "schema": schema}})
    assert validates(json.loads(message["content"][0]["text"]), schema)
    legacy = ask("Extract: Ana is 31", output_format={"type": "json_schema", "schema": schema})
    assert validates(json.loads(legacy["content"][0]["text"]), schema)


def test_web_search_runs_and_cites_results() -> None:
    message = ask("Search the latest news about fusion power", tools=[{"type": "web_search_20250305",
                                                                       "name": "web_search", "max_uses": 3}])
    assert kinds(message)[:2] == ["server_tool_use", "web_search_tool_result"]
    use, result = message["content"][:2]
    assert use["id"].startswith("srvtoolu_") and result["tool_use_id"] == use["id"]
    cited = [b for b in message["content"] if b["type"] == "text" and b["citations"]]
    assert cited and cited[0]["citations"][0]["type"] == "web_search_result_location"
    assert message["usage"]["server_tool_use"] == {"web_search_requests": 1, "web_fetch_requests": 0}


def test_web_fetch_fetches_the_url_in_the_prompt() -> None:
    message = ask("Summarise https://example.com/post please", tools=[{"type": "web_fetch_20250910",
                                                                       "name": "web_fetch"}])
    assert message["content"][0]["input"] == {"url": "https://example.com/post"}
    assert message["content"][1]["content"]["type"] == "web_fetch_result"
    assert message["usage"]["server_tool_use"]["web_fetch_requests"] == 1


@pytest.mark.parametrize("tool_type, result_type", [
    ("code_execution_20250522", "code_execution_tool_result"),
    ("code_execution_20250825", "bash_code_execution_tool_result"),
    ("code_execution_20260120", "code_execution_tool_result"),
])
def test_code_execution_runs_in_a_container(tool_type: str, result_type: str) -> None:
    message = ask("Calculate the mean of 3, 4 and 8", tools=[{"type": tool_type, "name": "code_execution"}])
    assert kinds(message)[1] == result_type
    assert message["content"][1]["content"]["stdout"] == "15 5.0\n"
    assert message["container"]["id"].startswith("container_")
    assert message["container"]["expires_at"].endswith("Z")


def test_programmatic_tool_calling_round_trip() -> None:
    tools = [{"type": "code_execution_20250825", "name": "code_execution"},
             {**WEATHER, "allowed_callers": ["code_execution_20250825"]}]
    first = ask("What's the weather in Lima?", tools=tools)
    assert kinds(first) == ["text", "server_tool_use", "tool_use"] and first["stop_reason"] == "tool_use"
    runner, call = first["content"][1], first["content"][2]
    assert runner["name"] == "code_execution" and "get_weather" in runner["input"]["code"]
    assert call["caller"] == {"type": "code_execution_20250825", "tool_id": runner["id"]}
    container = first["container"]["id"]
    follow_up = {"model": MODEL, "max_tokens": 800, "tools": tools, "container": container, "messages": [
        {"role": "user", "content": "What's the weather in Lima?"},
        {"role": "assistant", "content": first["content"]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call["id"], "content": "21C"}]},
    ]}
    second = create_message(follow_up, ctx(2))
    validate_message(second)
    assert kinds(second) == ["code_execution_tool_result", "text"]
    assert second["content"][0]["tool_use_id"] == runner["id"]
    assert "21C" in second["content"][0]["content"]["stdout"]
    assert second["container"]["id"] == container and second["stop_reason"] == "end_turn"
    assert accumulate(second) == second


def test_tool_search_finds_deferred_tools_first() -> None:
    tools = [{"type": "tool_search_tool_regex_20251119", "name": "tool_search_tool_regex"},
             {**WEATHER, "defer_loading": True}]
    message = ask("What's the weather in Rome?", tools=tools)
    assert kinds(message) == ["text", "server_tool_use", "tool_search_tool_result", "tool_use"]
    references = message["content"][2]["content"]["tool_references"]
    assert references == [{"type": "tool_reference", "tool_name": "get_weather"}]


def test_document_citations_locate_the_cited_text() -> None:
    data = "The grass is green. The sky is blue."
    content = [
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": data},
         "title": "Facts", "citations": {"enabled": True}},
        {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "Water is wet."}]},
         "citations": {"enabled": True}},
        {"type": "text", "text": "What colour is the grass?"},
    ]
    message = ask(content)
    citations = [c for b in message["content"] if b["type"] == "text" for c in (b["citations"] or [])]
    char, block = citations
    assert char["type"] == "char_location" and data[char["start_char_index"]:char["end_char_index"]] == char["cited_text"]
    assert char["document_index"] == 0 and char["document_title"] == "Facts"
    assert block["type"] == "content_block_location" and block["cited_text"] == "Water is wet."
    assert (block["start_block_index"], block["end_block_index"]) == (0, 1)


def test_pdf_citations_use_pages() -> None:
    pdf = base64.b64encode(b"%PDF-1.4 /Type /Page /Type /Page /Type /Pages").decode()
    message = ask([{"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": pdf},
                    "citations": {"enabled": True}}, {"type": "text", "text": "Summarise"}])
    citation = next(c for b in message["content"] if b["type"] == "text" for c in (b["citations"] or []))
    assert citation["type"] == "page_location" and citation["start_page_number"] == 1
    assert message["usage"]["input_tokens"] > 2 * token_fit.for_model(message["model"])["pdf_page"]  # two pages


def test_prompt_caching_writes_then_reads() -> None:
    cache = MemoryPromptCache()
    system = [{"type": "text", "text": "You are a careful assistant. " * 1600, "cache_control": {"type": "ephemeral"}}]
    request = {"model": MODEL, "max_tokens": 50, "system": system, "messages": [{"role": "user", "content": "Hi"}]}
    total = count_tokens({k: request[k] for k in ("model", "system", "messages")}, ctx())["input_tokens"]
    first = create_message(request, EngineContext(rng=ctx().rng, now=NOW, cache=cache))["usage"]
    assert first["cache_creation_input_tokens"] > 4096 and first["cache_read_input_tokens"] == 0
    assert first["cache_creation"] == {"ephemeral_5m_input_tokens": first["cache_creation_input_tokens"],
                                       "ephemeral_1h_input_tokens": 0}
    assert first["input_tokens"] + first["cache_creation_input_tokens"] == total
    second = create_message(request, EngineContext(rng=ctx().rng, now=NOW + 60, cache=cache))["usage"]
    assert second["cache_read_input_tokens"] == first["cache_creation_input_tokens"]
    assert second["cache_creation_input_tokens"] == 0 and second["input_tokens"] == first["input_tokens"]
    expired = create_message(request, EngineContext(rng=ctx().rng, now=NOW + 60 + 301, cache=cache))["usage"]
    assert expired["cache_read_input_tokens"] == 0


def test_one_hour_ttl_and_automatic_breakpoint() -> None:
    cache = MemoryPromptCache()
    system = [{"type": "text", "text": "Context. " * 2500, "cache_control": {"type": "ephemeral", "ttl": "1h"}}]
    request = {"model": MODEL, "max_tokens": 20, "system": system, "cache_control": {"type": "ephemeral"},
               "messages": [{"role": "user", "content": "Question one " * 300}]}
    usage = create_message(request, EngineContext(rng=ctx().rng, now=NOW, cache=cache))["usage"]
    assert usage["cache_creation"]["ephemeral_1h_input_tokens"] > 0
    assert usage["cache_creation"]["ephemeral_5m_input_tokens"] > 0
    later = create_message(request, EngineContext(rng=ctx().rng, now=NOW + 1000, cache=cache))["usage"]
    assert later["cache_read_input_tokens"] == usage["cache_creation"]["ephemeral_1h_input_tokens"]


def test_short_prefixes_are_not_cached() -> None:
    system = [{"type": "text", "text": "Short.", "cache_control": {"type": "ephemeral"}}]
    usage = ask("Hi", system=system)["usage"]
    assert usage["cache_creation_input_tokens"] == 0 and usage["cache_read_input_tokens"] == 0


def test_prefill_is_continued() -> None:
    request = {"model": MODEL, "max_tokens": 100, "messages": [
        {"role": "user", "content": "Name a colour"}, {"role": "assistant", "content": "The colour is"}]}
    message = create_message(request, ctx())
    assert message["content"][0]["text"].startswith(" ")


def test_service_tier_and_inference_geo() -> None:
    usage = ask("Hi", inference_geo="us")["usage"]
    assert usage["inference_geo"] == "us" and usage["service_tier"] == "standard"
    batch = ask("Hi", context=ctx(service_tier="batch"))["usage"]
    assert batch["service_tier"] == "batch"


def test_stream_grammar() -> None:
    message = ask("What's the weather in Paris?", tools=[WEATHER], max_tokens=3000,
                  thinking={"type": "enabled", "budget_tokens": 1024})
    names = [name for name, _ in message_events(message)]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    assert names[1:3] == ["content_block_start", "ping"]
    events = message_events(message)
    start = events[0][1]["message"]
    assert start["content"] == [] and start["stop_reason"] is None and start["usage"]["output_tokens"] == 1
    thinking = [e for _, e in events if e["type"] == "content_block_delta" and e["index"] == 0]
    assert thinking[-1]["delta"]["type"] == "signature_delta"
    fragments = [e["delta"]["partial_json"] for _, e in events
                 if e["type"] == "content_block_delta" and e["delta"]["type"] == "input_json_delta"]
    assert fragments[0] == "" and json.loads("".join(fragments)) == message["content"][-1]["input"]
    assert events[-2][1]["usage"]["output_tokens"] == message["usage"]["output_tokens"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*answers._WRITE_WORDS, "SAY", "Print", "prınt", "ſay", "PRİNT", "İ", "saying", "x",
                                 " ", ".", "_", "é", "ß", "K", "\u0307"]), max_size=12).map("".join))
def test_the_marker_request_is_read_case_insensitively(text: str) -> None:
    # The reader lowers the text instead of matching with IGNORECASE (several times faster); it must
    # find exactly what an IGNORECASE match finds, Unicode's case-insensitive letters included.
    reference = re.compile(r"\b(?:" + "|".join(answers._WRITE_WORDS) + r")\b", re.IGNORECASE)
    assert answers._asks_to_write(text) == (reference.search(text) is not None)

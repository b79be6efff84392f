"""Every 400/404 the engine raises, with the API's type and message."""

from typing import Any

import pytest

from mockserver.engine import count_tokens, create_completion, create_message
from mockserver.engine.chat import chat_completion
from mockserver.http.errors import ApiError
from tests.engine.support import ctx

USER = [{"role": "user", "content": "Hi"}]
TOOL = {"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}


def error_of(request: dict[str, Any], call=create_message, **context: Any) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call(request, ctx(**context))
    return caught.value


def base(**fields: Any) -> dict[str, Any]:
    return {"model": "claude-haiku-4-5", "max_tokens": 100, "messages": USER, **fields}


@pytest.mark.parametrize("call", [create_message, count_tokens])
def test_unknown_model_is_404(call) -> None:
    error = error_of(base(model="claude-nope-1"), call)
    assert (error.status, error.error_type, error.message) == (404, "not_found_error", "model: claude-nope-1")


@pytest.mark.parametrize("model", ["claude-3-opus-20240229", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929"])
def test_retired_model_is_404(model) -> None:
    error = error_of(base(model=model))
    assert error.status == 404 and error.message == f"model: {model}"


def test_max_tokens_above_the_model_cap() -> None:
    error = error_of(base(max_tokens=64001))
    assert error.status == 400 and error.error_type == "invalid_request_error"
    assert error.message == ("max_tokens: 64001 > 64000, which is the maximum allowed number of output tokens "
                             "for claude-haiku-4-5-20251001")


def test_budget_tokens_not_below_max_tokens() -> None:
    error = error_of(base(max_tokens=2000, thinking={"type": "enabled", "budget_tokens": 2000}))
    assert error.message.startswith("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult")


def test_thinking_with_forced_tool_choice() -> None:
    error = error_of(base(max_tokens=3000, thinking={"type": "enabled", "budget_tokens": 1024}, tools=[TOOL],
                          tool_choice={"type": "any"}))
    assert error.message == "Thinking may not be enabled when tool_choice forces tool use."


@pytest.mark.parametrize("choice", [{"type": "any"}, {"type": "tool", "name": "get_weather"}])
def test_adaptive_thinking_takes_a_forced_tool(choice: dict) -> None:
    message = create_message(base(model="claude-sonnet-4-6", max_tokens=3000, thinking={"type": "adaptive"},
                                  tools=[TOOL], tool_choice=choice), ctx())
    assert [block["type"] for block in message["content"]][-1] == "tool_use"
    assert message["content"][-1]["name"] == "get_weather" and message["stop_reason"] == "tool_use"


@pytest.mark.parametrize("model, thinking, message", [
    ("claude-haiku-4-5", {"type": "adaptive"}, "adaptive thinking is not supported on this model"),
    ("claude-opus-4-7", {"type": "enabled", "budget_tokens": 1024}, '"thinking.type.enabled" is not supported'),
    ("claude-fable-5", {"type": "disabled"}, '"thinking.type.disabled" is not supported'),
])
def test_thinking_type_per_model(model: str, thinking: dict, message: str) -> None:
    error = error_of(base(model=model, max_tokens=3000, thinking=thinking))
    assert error.status == 400 and error.message.startswith(message)


def test_tool_choice_naming_an_unknown_tool() -> None:
    error = error_of(base(tools=[TOOL], tool_choice={"type": "tool", "name": "get_time"}))
    assert error.message == "tool_choice: Tool 'get_time' not found in 'tools'"


def test_more_than_four_cache_breakpoints() -> None:
    system = [{"type": "text", "text": f"part {i}", "cache_control": {"type": "ephemeral"}} for i in range(5)]
    error = error_of(base(system=system))
    assert error.message == "A maximum of 4 blocks with cache_control may be provided. Found 5."
    error = error_of(base(system=system[:4], cache_control={"type": "ephemeral"}))
    assert error.message.endswith("Found 5.")


def test_prefill_on_a_model_that_rejects_it() -> None:
    messages = USER + [{"role": "assistant", "content": "Sure"}]
    error = error_of(base(model="claude-opus-4-6", messages=messages))
    assert error.message == ("This model does not support assistant message prefill. "
                             "The conversation must end with a user message.")


def test_prefill_with_trailing_whitespace() -> None:
    error = error_of(base(messages=USER + [{"role": "assistant", "content": "Sure "}]))
    assert error.message == "messages: final assistant content cannot end with trailing whitespace"


def test_no_messages() -> None:
    error = error_of(base(messages=[]))
    assert error.status == 400 and error.message == "messages: at least one message is required"


def test_empty_message_content() -> None:
    error = error_of(base(messages=[{"role": "user", "content": []}]))
    assert error.message == ("messages.0: all messages must have non-empty content except for the optional "
                             "final assistant message")


def test_tool_blocks_without_tools_are_history_not_an_error() -> None:
    """The real API reads tool blocks in past turns without `tools` declared (real-traffic class)."""
    messages = [{"role": "user", "content": "Hi"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "x", "input": {}}]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}]}]
    message = create_message(base(messages=messages), ctx())
    assert message["stop_reason"] == "end_turn"
    assert [block["type"] for block in message["content"]] == ["text"]


def test_tool_use_without_tool_result() -> None:
    messages = [{"role": "user", "content": "Hi"},
                {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                                                   "input": {}}]},
                {"role": "user", "content": "and?"}]
    error = error_of(base(messages=messages, tools=[TOOL]))
    assert error.message.startswith("messages.1: `tool_use` ids were found without `tool_result` blocks "
                                    "immediately after: toolu_1.")


def test_tool_result_without_tool_use() -> None:
    messages = [{"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_9", "content": "x"}]}]
    error = error_of(base(messages=messages, tools=[TOOL]))
    assert error.message.startswith("messages.0.content.0: unexpected `tool_use_id` found in `tool_result` "
                                    "blocks: toolu_9.")


def test_programmatic_results_need_the_container() -> None:
    call = {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {},
            "caller": {"type": "code_execution_20250825", "tool_id": "srvtoolu_1"}}
    messages = [{"role": "user", "content": "Weather?"}, {"role": "assistant", "content": [call]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "9C"}]}]
    tools = [{"type": "code_execution_20250825", "name": "code_execution"},
             {**TOOL, "allowed_callers": ["code_execution_20250825"]}]
    error = error_of(base(messages=messages, tools=tools))
    assert error.message == ("container_id is required when there are pending tool uses generated by code "
                             "execution with tools.")


def test_prompt_too_long() -> None:
    error = error_of(base(model="claude-sonnet-4-20250514", messages=[{"role": "user", "content": "word " * 260_000}]))
    assert error.message.startswith("prompt is too long: ") and error.message.endswith(" tokens > 200000 maximum")


def test_structured_outputs_on_an_old_model() -> None:
    error = error_of(base(model="claude-sonnet-4-20250514",
                          output_config={"format": {"type": "json_schema", "schema": {"type": "object"}}}))
    assert error.status == 400 and "does not support structured outputs" in error.message


def test_effort_on_a_model_without_effort() -> None:
    error = error_of(base(output_config={"effort": "high"}))
    assert error.message == 'output_config.effort: "high" is not supported for claude-haiku-4-5-20251001'


def test_new_version_rejects_documents_in_assistant_turns() -> None:
    document = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}
    messages = USER + [{"role": "assistant", "content": [document]}, {"role": "user", "content": "ok"}]
    error = error_of(base(messages=messages))
    assert error.message == "messages.1.content.0: `document` blocks are not allowed in `assistant` messages"
    create_message(base(messages=messages), ctx(version="2023-06-01"))


@pytest.mark.parametrize("prompt, message", [
    ("Hello", 'prompt must start with "\\n\\nHuman:" turn'),
    ("\n\nHuman: Hi", 'prompt must end with "\\n\\nAssistant:" turn'),
    ("\n\nHuman: Hi\n\nAssistant: ok\n\nHuman: more", 'prompt must end with "\\n\\nAssistant:" turn'),
])
def test_legacy_prompt_format(prompt: str, message: str) -> None:
    error = error_of({"model": "claude-haiku-4-5", "prompt": prompt, "max_tokens_to_sample": 10}, create_completion)
    assert (error.status, error.message) == (400, message)


def test_chat_completions_need_n_1() -> None:
    error = error_of({"model": "claude-haiku-4-5", "n": 2, "messages": [{"role": "user", "content": "Hi"}]},
                     chat_completion)
    assert (error.status, error.message) == (400, "n: only n=1 is supported")


def test_chat_completions_unknown_model() -> None:
    error = error_of({"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}, chat_completion)
    assert (error.status, error.message) == (404, "model: gpt-4o")

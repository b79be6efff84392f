"""The shape rules one by one: keys and JSON types recursively, null as a wildcard, arrays by block type,
blocks the real model chose freely, tool inputs as the model's own choice; and the forced-content rules."""

from __future__ import annotations

from mockserver.conformance.checks import forced_problems
from mockserver.conformance.shape import shape_problems
from mockserver.conformance.tokens import TokenError


def test_keys_and_json_types_are_compared_recursively_and_extra_keys_of_ours_are_fine():
    real = {"type": "message", "usage": {"input_tokens": 3, "details": {"reasoning": 1}}, "stop": "end_turn"}
    assert shape_problems(real, {**real, "extra": True}) == []
    ours = {"type": "message", "usage": {"input_tokens": "3", "details": {}}, "stop": "end_turn"}
    assert shape_problems(real, ours) == ["type of usage.input_tokens: string, real number",
                                          "missing key usage.details.reasoning"]
    assert shape_problems({"n": 1}, {"n": 1.5}) == [] and shape_problems({"b": True}, {"b": 1}) != []


def test_null_on_either_side_matches_anything_but_the_key_must_be_there():
    assert shape_problems({"container": None}, {"container": {"id": "c"}}) == []
    assert shape_problems({"container": {"id": "c"}}, {"container": None}) == []
    assert shape_problems({"container": None}, {}) == ["missing key container"]


def test_the_top_level_type_must_match():
    assert shape_problems({"type": "message"}, {"type": "error"}) == ["type is 'error', real 'message'"]


def test_arrays_by_block_type_and_blocks_the_model_chose_freely_are_not_required():
    real = {"content": [{"type": "thinking", "thinking": "", "signature": "s"},
                        {"type": "text", "text": "a", "citations": [{"type": "char_location", "start": 0}]},
                        {"type": "text", "text": "b"}]}
    ours = {"content": [{"type": "text", "text": "x"}, {"type": "text", "text": "y", "citations": []}]}
    assert shape_problems(real, ours) == ["missing key content[text].citations"]  # only our first text lacks it
    assert shape_problems(real, {"content": [{"type": "text", "text": "x", "citations": None}]}) == []


def test_a_tools_input_is_the_models_choice_and_untyped_arrays_compare_item_by_item():
    real = {"content": [{"type": "tool_use", "id": "t", "name": "f", "input": {"city": "Paris"}}]}
    assert shape_problems(real, {"content": [{"type": "tool_use", "id": "u", "name": "f", "input": {}}]}) == []
    assert shape_problems(real, {"content": [{"type": "tool_use", "id": "u", "name": "f", "input": []}]}) == [
        "type of content[tool_use].input: array, real object"]
    assert shape_problems({"data": [{"id": "a", "created_at": "t"}]}, {"data": [{"id": "b"}]}) == [
        "missing key data[].created_at"]
    assert shape_problems({"data": [{"id": "a"}]}, {"data": []}) == []


def test_forced_content():
    tool = {"tool_choice": {"type": "tool", "name": "f"}}
    used = {"content": [{"type": "tool_use", "name": "f"}], "stop_reason": "tool_use"}
    text = {"content": [{"type": "text", "text": "no"}], "stop_reason": "end_turn"}
    assert forced_problems(tool, used, used) == []
    assert forced_problems(tool, used, text) == ["tool_choice names a tool, no tool_use of it"]
    assert forced_problems({"tool_choice": {"type": "any"}}, used, text) == ["tool_choice any, no tool_use"]
    thinking = {"thinking": {"type": "enabled", "budget_tokens": 1024}}
    first = {"content": [{"type": "thinking", "thinking": ""}, {"type": "text"}]}
    assert forced_problems(thinking, first, text) == ["thinking enabled, the first block is text"]
    assert forced_problems(thinking, text, text) == []  # the real reply had no thinking first either
    cut = {"content": [], "stop_reason": "max_tokens"}
    assert forced_problems({"max_tokens": 5}, cut, text) == ["max_tokens 5 cut the real reply, ours stopped on end_turn"]
    assert forced_problems({"max_tokens": 4096}, cut, text) == []  # a long reply: its length is the model's


def test_the_token_error_in_numbers():
    tokens = TokenError()
    for real, ours in [(100, 100), (100, 105), (100, 150), (200, 100), (10, 10)]:
        tokens.add({"usage": {"input_tokens": real - 1, "cache_read_input_tokens": 1}}, {"input_tokens": ours})
    tokens.add({"usage": {"output_tokens": 3}}, {"input_tokens": 4})  # no input count: left out
    assert tokens.n == 5 and tokens.errors == [0.0, 0.0, 0.05, 0.5, 0.5]
    assert (tokens.median, tokens.p90, tokens.within_10_percent) == (0.05, 0.5, 0.6)
    assert tokens.summary() == "input tokens: n=5, median |err| 5.0%, p90 |err| 50.0%, within 10 %: 60%"

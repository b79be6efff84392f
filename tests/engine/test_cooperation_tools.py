"""Choosing a tool and filling its input as a model would, through the official SDK, JSON and streamed."""

from __future__ import annotations

import json

import httpx
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from .cooperation import EMAIL, WEATHER, both, calls, kinds, sdk, user
from .support import validates

CALCULATOR = {"name": "calculator", "description": "Arithmetic on two operands",
              "input_schema": {"type": "object", "properties": {
                  "a": {"type": "number"}, "b": {"type": "number"},
                  "operation": {"type": "string", "enum": ["add", "subtract", "multiply", "divide"]}},
                  "required": ["a", "b", "operation"]}}
STRICT = {"name": "book_table", "description": "Book a restaurant table", "strict": True,
          "input_schema": {"type": "object", "additionalProperties": False, "required": ["city", "guests", "date"],
                           "properties": {"city": {"type": "string"}, "guests": {"type": "integer"},
                                          "date": {"type": "string", "format": "date"}}}}


@pytest.fixture(scope="module")
def client():
    with MockServer(Config(seed=11)) as running:
        yield sdk(running)


def test_a_tool_is_chosen_by_its_description_and_fed_the_prompts_place(client) -> None:
    message = both(client, tools=[WEATHER, EMAIL], messages=[user("Will I need an umbrella? What's the weather in Paris?")])
    assert kinds(message) == ["text", "tool_use"] and message["stop_reason"] == "tool_use"
    call = calls(message)[0]
    assert call["name"] == "get_forecast" and call["input"]["location"] == "Paris"


def test_every_property_is_filled_optional_ones_too_and_valid(client) -> None:
    message = both(client, tools=[WEATHER], messages=[user("Weather forecast in Lisbon for 5 days in celsius please")])
    arguments = calls(message)[0]["input"]
    assert set(arguments) == set(WEATHER["input_schema"]["properties"])
    assert arguments["location"] == "Lisbon" and arguments["days"] == 5 and arguments["unit"] == "celsius"
    assert validates(arguments, WEATHER["input_schema"])


def test_emails_dates_urls_and_message_text_come_from_the_prompt(client) -> None:
    text = "Send an email to ada@example.org on 2026-03-04 with the link https://example.com/report"
    arguments = calls(both(client, tools=[EMAIL], messages=[user(text)]))[0]["input"]
    assert arguments["to"] == "ada@example.org" and arguments["send_at"] == "2026-03-04"
    assert arguments["link"] == "https://example.com/report" and "ada@example.org" in arguments["body"]
    assert set(arguments) == set(EMAIL["input_schema"]["properties"])
    assert validates(arguments, EMAIL["input_schema"])


def test_numbers_go_to_number_properties_in_order(client) -> None:
    message = both(client, tools=[CALCULATOR], messages=[user("Use the calculator to multiply 12 by 7.5")])
    assert calls(message)[0]["input"] == {"a": 12, "b": 7.5, "operation": "multiply"}


def test_strict_tools_get_exactly_valid_input(client) -> None:
    message = both(client, tools=[STRICT], messages=[user("Book a table in Tokyo for 4 guests on 2026-05-01")])
    arguments = calls(message)[0]["input"]
    assert arguments == {"city": "Tokyo", "guests": 4, "date": "2026-05-01"}
    assert validates(arguments, STRICT["input_schema"])


def test_an_unrelated_prompt_gets_text(client) -> None:
    message = both(client, tools=[WEATHER, EMAIL, CALCULATOR], messages=[user("Tell me a story about dragons")])
    assert kinds(message) == ["text"] and message["stop_reason"] == "end_turn"


def test_several_places_are_asked_in_parallel_unless_disabled(client) -> None:
    ask = [user("What's the weather in Paris and Tokyo?")]
    parallel = calls(both(client, tools=[WEATHER], messages=ask))
    assert [c["input"]["location"] for c in parallel] == ["Paris", "Tokyo"]
    single = calls(both(client, tools=[WEATHER], messages=ask,
                        tool_choice={"type": "auto", "disable_parallel_tool_use": True}))
    assert len(single) == 1 and single[0]["input"]["location"] == "Paris"


def test_several_independent_tools_are_called_together(client) -> None:
    text = "What's the weather in Oslo, and send an email to bob@example.com about it"
    message = both(client, tools=[WEATHER, EMAIL], messages=[user(text)])
    assert [c["name"] for c in calls(message)] == ["get_forecast", "send_email"]


def test_the_same_request_gets_the_same_choice_and_input(client) -> None:
    ask = {"tools": [WEATHER, EMAIL, CALCULATOR], "messages": [user("Weather in Berlin and mail me at x@example.com")]}
    first, second = both(client, **ask), both(client, **ask)
    assert calls(first) == calls(second)
    with MockServer(Config(seed=11)) as other:
        assert calls(both(sdk(other), **ask)) == calls(first)


EXTRACT = {"type": "object", "additionalProperties": False, "required": ["name", "email", "plan", "time", "age"],
           "properties": {"name": {"type": "string"}, "email": {"type": "string"}, "plan": {"type": "string"},
                          "time": {"type": "string"}, "age": {"type": "integer"}}}


def test_structured_output_extracts_the_prompts_values(client) -> None:
    text = "Ada Lovelace (ada@example.com), 36, wants our Premium plan. The time is 12:00."
    message = both(client, messages=[user(text)], output_config={"format": {"type": "json_schema", "schema": EXTRACT}})
    value = json.loads(message["content"][0]["text"])
    assert value == {"name": "Ada Lovelace", "email": "ada@example.com", "plan": "Premium", "time": "12:00", "age": 36}


def test_forced_tool_reads_the_system_prompt_too(client) -> None:
    person = {"name": "User", "description": "An extracted user",
              "input_schema": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                               "required": ["name", "age"]}}
    message = both(client, tools=[person], tool_choice={"type": "tool", "name": "User"},
                   system="<story>Mike is 37 years old</story>", messages=[user("Extract the user from the story")])
    assert calls(message)[0]["input"] == {"name": "Mike", "age": 37}


def test_a_rule_overrides_the_synthesised_choice() -> None:
    with MockServer(Config(seed=11)) as running:
        rule = {"match": {"operation": "messages_create",
                          "body": [{"path": "$.tools[*].name", "equals": "get_forecast"}]},
                "respond": {"tool_use": {"name": "get_forecast", "input": {"location": "Reykjavik"}}}}
        added = httpx.post(f"{running.base_url}/_mock/rules", json=rule)
        assert added.status_code < 300, added.text
        message = both(sdk(running), tools=[WEATHER], messages=[user("What's the weather in Paris?")])
        assert [c["input"] for c in calls(message)] == [{"location": "Reykjavik"}]

"""The agent loop after tool results: quoting them, owning up to errors, the next step, the memory tool."""

from __future__ import annotations

import json

import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from .cooperation import EMAIL, MODEL, WEATHER, both, calls, kinds, results, sdk, user

MEMORY = {"type": "memory_20250818", "name": "memory"}


@pytest.fixture(scope="module")
def client():
    with MockServer(Config(seed=23)) as running:
        yield sdk(running)


def test_a_tool_result_is_quoted_and_the_turn_ends(client) -> None:
    ask = [user("What's the weather in Paris?")]
    first = both(client, tools=[WEATHER], messages=ask)
    reply = both(client, tools=[WEATHER], messages=ask + results(first, "18 degrees and sunny"))
    assert kinds(reply) == ["text"] and reply["stop_reason"] == "end_turn"
    assert "18 degrees and sunny" in reply["content"][0]["text"]


def test_parallel_results_are_all_quoted(client) -> None:
    ask = [user("What's the weather in Paris and Tokyo?")]
    first = both(client, tools=[WEATHER], messages=ask)
    text = both(client, tools=[WEATHER], messages=ask + results(first, "Paris: rain", "Tokyo: clear"))["content"][0]["text"]
    assert "Paris: rain" in text and "Tokyo: clear" in text


def test_an_error_result_is_acknowledged(client) -> None:
    ask = [user("What's the weather in Paris?")]
    first = both(client, tools=[WEATHER], messages=ask)
    reply = both(client, tools=[WEATHER], messages=ask + results(first, "upstream timeout", is_error=True))
    text = reply["content"][0]["text"]
    assert kinds(reply) == ["text"] and "error" in text and "upstream timeout" in text


def test_a_task_of_several_steps_calls_one_tool_after_the_other(client) -> None:
    tools = [WEATHER, EMAIL]
    ask = [user("Get the weather in Paris, then send an email to ada@example.org with the forecast")]
    first = both(client, tools=tools, messages=ask)
    assert [c["name"] for c in calls(first)] == ["get_forecast"]
    turns = ask + results(first, "sunny, 21C")
    second = both(client, tools=tools, messages=turns)
    assert [c["name"] for c in calls(second)] == ["send_email"] and second["stop_reason"] == "tool_use"
    assert calls(second)[0]["input"]["to"] == "ada@example.org"
    last = both(client, tools=tools, messages=turns + results(second, "queued as message 42"))
    assert kinds(last) == ["text"] and "queued as message 42" in last["content"][0]["text"]


def test_memory_is_viewed_first_then_a_note_created(client) -> None:
    ask = [user("Remember that my favourite colour is blue")]
    first = both(client, tools=[MEMORY], messages=ask)
    assert calls(first)[0]["input"] == {"command": "view", "path": "/memories"}
    turns = ask + results(first, "Here're the files and directories up to 2 levels deep in /memories:\n4.0K\t/memories")
    created = calls(both(client, tools=[MEMORY], messages=turns))[0]["input"]
    assert created["command"] == "create" and created["path"].startswith("/memories/")
    assert "favourite colour is blue" in created["file_text"]
    done = both(client, tools=[MEMORY], messages=turns + results(both(client, tools=[MEMORY], messages=turns),
                                                                    "File created successfully"))
    assert kinds(done) == ["text"]


def test_an_existing_memory_file_is_read_then_edited(client) -> None:
    ask = [user("Please note that the deploy moved to Friday")]
    first = both(client, tools=[MEMORY], messages=ask)
    turns = ask + results(first, "4.0K\t/memories\n1.0K\t/memories/project.md")
    view = calls(both(client, tools=[MEMORY], messages=turns))[0]["input"]
    assert view == {"command": "view", "path": "/memories/project.md"}
    turns += results(both(client, tools=[MEMORY], messages=turns), "     1\t# Project\n     2\tdeploy on Monday\n")
    edit = calls(both(client, tools=[MEMORY], messages=turns))[0]["input"]
    assert edit["command"] == "str_replace" and edit["old_str"] == "# Project"
    assert edit["new_str"].startswith("# Project\n") and "Friday" in edit["new_str"]


def test_memory_without_anything_to_note_answers_after_looking(client) -> None:
    ask = [user("What do you know about me?")]
    first = both(client, tools=[MEMORY], messages=ask)
    assert calls(first)[0]["input"]["command"] == "view"
    reply = both(client, tools=[MEMORY], messages=ask + results(first, "4.0K\t/memories"))
    assert kinds(reply) == ["text"] and "/memories" in reply["content"][0]["text"]


def test_a_search_step_runs_after_the_client_tools_result_and_is_cited(client) -> None:
    tools = [WEATHER, {"type": "web_search_20250305", "name": "web_search"}]
    ask = [user("Get the weather in Paris, then search the latest news about the Paris marathon")]
    first = both(client, tools=tools, messages=ask)
    assert kinds(first) == ["text", "tool_use"]
    reply = both(client, tools=tools, messages=ask + results(first, "sunny"))
    assert kinds(reply)[:2] == ["server_tool_use", "web_search_tool_result"] and reply["stop_reason"] == "end_turn"
    cited = [c for b in reply["content"] if b["type"] == "text" for c in (b["citations"] or [])]
    assert cited and all(c["type"] == "web_search_result_location" for c in cited)
    assert "sunny" in "".join(b["text"] for b in reply["content"] if b["type"] == "text")


def test_a_search_asked_for_first_runs_before_the_client_tool_and_not_again(client) -> None:
    converter = {"name": "unit_converter", "description": "Convert a distance in kilometers to miles.",
                 "input_schema": {"type": "object", "required": ["km"],
                                  "properties": {"km": {"type": "number", "description": "distance in kilometers"}}}}
    tools = [{"type": "web_search_20250305", "name": "web_search", "max_uses": 2}, converter]
    ask = [user("Search the web for the distance from Berlin to Rome in kilometers, "
                "then use the unit_converter tool to convert it to miles.")]
    first = both(client, tools=tools, messages=ask)
    assert kinds(first)[:2] == ["server_tool_use", "web_search_tool_result"] and kinds(first)[-1] == "tool_use"
    assert first["stop_reason"] == "tool_use" and first["usage"]["server_tool_use"]["web_search_requests"] == 1
    assert [c["name"] for c in calls(first)] == ["unit_converter"]
    reply = both(client, tools=tools, messages=ask + results(first, "1181 km is 733.84 miles"))
    assert kinds(reply) == ["text"] and reply["stop_reason"] == "end_turn"
    assert "733.84 miles" in reply["content"][0]["text"]


def test_usage_leaves_server_tool_use_out_when_no_server_tool_ran(client) -> None:
    """Recorded replies carry no `server_tool_use` key (not null) unless a server tool ran."""
    tools = [{"type": "web_search_20250305", "name": "web_search"}, EMAIL]
    ask = [user("Send an email to ada@example.org to say hello")]
    plain = client.messages.with_raw_response.create(model=MODEL, max_tokens=512, tools=tools,
                                                      messages=ask)
    assert "server_tool_use" not in json.loads(plain.text())["usage"]
    with client.messages.with_streaming_response.create(model=MODEL, max_tokens=512, tools=tools,
                                                        messages=ask, stream=True) as streamed:
        events = [json.loads(line[5:]) for line in streamed.iter_lines() if line.startswith("data:")]
    usages = [e["message"]["usage"] if e["type"] == "message_start" else e["usage"]
              for e in events if e["type"] in ("message_start", "message_delta")]
    assert len(usages) == 2 and not any("server_tool_use" in u for u in usages)
    searched = client.messages.with_raw_response.create(
        model=MODEL, max_tokens=512, tools=tools, messages=[user("Search the latest news about Paris")])
    assert json.loads(searched.text())["usage"]["server_tool_use"]["web_search_requests"] == 1

"""Rules: every match field, every kind of response, sequences, counters, scenario states,
ordering and isolation; in-process, one app for the module, one session per test."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from mockserver.scenarios import book as book_module
from mockserver.scenarios.book import RuleBook
from mockserver.scenarios.rules import RuleError, parse_rule, parse_rules

from ..helpers import MODEL, asgi_client, headers

ASK = {"model": MODEL, "max_tokens": 32, "messages": [{"role": "user", "content": "Hello there"}]}
WEATHER = {"name": "get_weather", "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}}}


class Session:
    """One isolation key on the shared app: add rules, send requests, read the journal."""

    def __init__(self, client: Any, key: str | None = None) -> None:
        self.client = client
        self.key = key or uuid.uuid4().hex

    def add(self, **rule: Any) -> dict[str, Any]:
        response = self.client.post("/_mock/rules", json=rule, headers={"x-mock-session": self.key})
        assert response.status_code == 201, response.text
        return response.json()["rules"][0]

    def post(self, body: dict[str, Any] | None = None, path: str = "/v1/messages", **extra: str) -> Any:
        return self.client.post(path, json=body if body is not None else ASK,
                                headers=headers(**{"x-mock-session": self.key, **extra}))

    def text(self, body: dict[str, Any] | None = None, **extra: str) -> str:
        response = self.post(body, **extra)
        assert response.status_code == 200, response.text
        return response.json()["content"][0]["text"]

    def statuses(self, n: int, body: dict[str, Any] | None = None) -> list[int]:
        return [self.post(body).status_code for _ in range(n)]


@pytest.fixture(scope="module")
def app():
    return asgi_client(seed=5)


@pytest.fixture
def s(app):
    session = Session(app)
    yield session
    app.post("/_mock/reset", json={"session": session.key})


def ask(text: str = "Hello there", **fields: Any) -> dict[str, Any]:
    return {**ASK, "messages": [{"role": "user", "content": text}], **fields}


# -- match fields --------------------------------------------------------------------------------

def test_operation_and_method_and_path(s):
    s.add(match={"operation": "models_list"}, respond={"body": {"data": [], "has_more": False}})
    s.add(match={"method": "GET", "path": "/v1/models/*"}, respond={"status": 418, "body": "teapot"})
    assert s.client.get("/v1/models", headers=headers(**{"x-mock-session": s.key})).json()["data"] == []
    response = s.client.get("/v1/models/claude-x", headers=headers(**{"x-mock-session": s.key}))
    assert (response.status_code, response.text) == (418, "teapot")
    assert s.post().status_code == 200


def test_headers(s):
    s.add(match={"headers": {"anthropic-beta": {"contains": "files-api"}}}, respond={"text": "beta"})
    s.add(match={"headers": {"x-trace": {"present": True}}}, respond={"text": "traced"})
    assert s.text(**{"anthropic-beta": "files-api-2025-04-14"}) == "beta"
    assert s.text(**{"x-trace": "1"}) == "traced"
    assert s.text() not in ("beta", "traced")


def test_model_exact_glob_and_regex(s):
    s.add(match={"model": "claude-haiku-*"}, respond={"text": "haiku"})
    s.add(match={"model": {"matches": "opus"}}, respond={"text": "opus"})
    s.add(match={"model": MODEL}, respond={"text": "exact"})
    assert s.text(ask(model="claude-haiku-4-5")) == "haiku"
    assert s.text(ask(model="claude-opus-4-1")) == "opus"
    assert s.text() == "exact"


def test_stream_flag(s):
    s.add(match={"stream": False}, respond={"text": "plain"})
    assert s.text() == "plain"
    streamed = s.post(ask(stream=True))
    assert "plain" not in streamed.text


def test_tools(s):
    s.add(match={"tools": ["get_weather"]}, respond={"tool_use": {"name": "get_weather", "input": {"city": "Oslo"}}})
    body = s.post(ask(tools=[WEATHER])).json()
    assert body["stop_reason"] == "tool_use"
    assert body["content"][0]["input"] == {"city": "Oslo"}
    assert body["content"][0]["id"].startswith("toolu_")
    assert s.post().json()["stop_reason"] != "tool_use"


def test_last_user_text(s):
    s.add(match={"last_user_text": "(?i)weather"}, respond={"text": "sunny"})
    turns = [{"role": "user", "content": "weather?"}, {"role": "assistant", "content": "which city"},
             {"role": "user", "content": [{"type": "text", "text": "Oslo please"}]}]
    assert s.text(ask("What's the WEATHER like")) == "sunny"
    assert s.text({**ASK, "messages": turns}) != "sunny"  # only the last user turn counts


def test_body_conditions(s):
    s.add(match={"body": [{"path": "$.max_tokens", "gt": 100}, {"path": "$.metadata.user_id", "exists": True}]},
          respond={"text": "big"})
    s.add(match={"body": [{"path": "$.messages[-1].content", "matches": "^ping"}]}, respond={"text": "pong"})
    s.add(match={"body": [{"path": "$.tools[*].name", "equals": "lookup"}]}, respond={"text": "tools"})
    s.add(match={"body": [{"path": "$.system", "contains": "pirate"}, {"path": "$.metadata", "exists": False}]},
          respond={"text": "arr"})
    assert s.text(ask(max_tokens=500, metadata={"user_id": "u1"})) == "big"
    assert s.text(ask(max_tokens=500)) != "big"
    assert s.text(ask("ping me")) == "pong"
    tools = [{**WEATHER, "name": "lookup"}, WEATHER]
    assert s.text(ask(tools=tools)) == "tools"
    assert s.text(ask(system="You are a pirate")) == "arr"
    assert s.text(ask(system="You are a pirate", metadata={"user_id": "p"})) != "arr"


def test_nth_matching_call(s):
    s.add(match={"operation": "messages_create", "nth": [2, 4]}, respond={"error": "api_error"})
    assert s.statuses(5) == [200, 500, 200, 500, 200]


def test_times(s):
    s.add(match={}, respond={"error": "overloaded_error"}, times=2)
    assert s.statuses(3) == [529, 529, 200]


# -- sequences and scenarios ---------------------------------------------------------------------

@pytest.mark.parametrize("then, expected", [
    ("repeat_last", [529, 500, 418, 418]),
    ("fall_through", [529, 500, 418, 200]),
    ("loop", [529, 500, 418, 529]),
])
def test_sequence_then(s, then, expected):
    s.add(sequence=[{"error": "overloaded_error"}, {"error": "api_error"}, {"status": 418, "body": {}}], then=then)
    assert s.statuses(4) == expected


def test_scenario_states(s):
    s.add(id="first", scenario="order", state="Started", next_state="paid", respond={"text": "pay now"})
    s.add(id="second", scenario="order", state="paid", next_state="shipped", respond={"text": "paid"})
    s.add(id="third", scenario="order", state="shipped", respond={"text": "shipped"})
    assert [s.text() for _ in range(4)] == ["pay now", "paid", "shipped", "shipped"]
    states = s.client.get("/_mock/scenarios", headers={"x-mock-session": s.key}).json()["scenarios"]
    assert [(x["name"], x["state"]) for x in states] == [("order", "shipped")]
    s.client.put("/_mock/scenarios/order", json={"state": "paid"}, headers={"x-mock-session": s.key})
    assert s.text() == "paid"


# -- ordering and isolation ----------------------------------------------------------------------

def test_priority_then_newest(s):
    s.add(id="old", respond={"text": "old"})
    s.add(id="new", respond={"text": "new"})
    assert s.text() == "new"
    s.add(id="urgent", priority=1, respond={"text": "urgent"})
    assert s.text() == "urgent"
    s.add(id="urgent", priority=9, respond={"text": "demoted"})  # same id replaces
    assert s.text() == "new"


def test_sessions_never_see_each_other(app):
    a, b = Session(app), Session(app)
    a.add(respond={"text": "for a"})
    b.add(sequence=[{"text": "b1"}, {"text": "b2"}])
    assert a.text() == "for a"
    assert [b.text(), b.text()] == ["b1", "b2"]
    assert Session(app).text() not in ("for a", "b1", "b2")
    journal_a = app.get("/_mock/journal", headers={"x-mock-session": a.key}).json()["requests"]
    assert len(journal_a) == 1 and journal_a[0]["session"] == a.key
    for session in (a, b):
        app.post("/_mock/reset", json={"session": session.key})


def test_global_rules_count_per_session(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("- sequence: [{error: overloaded_error}, {text: ok}]\n")
    client = asgi_client(rules_files=(rules,))
    a, b = Session(client), Session(client)
    assert a.statuses(2) == [529, 200]
    assert b.statuses(2) == [529, 200]


def test_file_rules_keep_their_order_and_reload(tmp_path, monkeypatch):
    monkeypatch.setattr(book_module, "RELOAD_CHECK_SECONDS", 0.0)
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n- {id: a, respond: {text: first}}\n- {id: b, respond: {text: second}}\n")
    client = asgi_client(rules_files=(rules,))
    s = Session(client)
    assert s.text() == "first"
    time.sleep(0.01)
    rules.write_text("rules:\n- {id: b, respond: {text: changed}}\n")
    assert s.text() == "changed"
    rules.write_text("rules: [{id: broken, respond: {nonsense: 1}}]\n")
    assert s.text() == "changed"  # a broken file keeps the rules it replaced


def test_rule_book_reads_every_file(tmp_path):
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text("- respond: {text: one}\n")
    two.write_text("- respond: {text: two}\n")
    book = RuleBook([one, two])
    assert [r.id for r in book.ordered] == ["one.yaml-1", "two.yaml-1"]


# -- responses -----------------------------------------------------------------------------------

def test_message_defaults(s):
    s.add(respond={"message": {"content": [{"type": "text", "text": "hi"}], "usage": {"output_tokens": 99}}})
    body = s.post().json()
    assert body["id"].startswith("msg_") and body["model"] == MODEL
    assert (body["type"], body["role"], body["stop_reason"], body["stop_sequence"]) == \
        ("message", "assistant", "end_turn", None)
    assert body["usage"]["output_tokens"] == 99 and body["usage"]["input_tokens"] > 0


def test_shorthands_make_one_message(s):
    s.add(respond={"thinking": "let me see", "text": "Looking it up.", "tool_use": [{"name": "lookup"}],
                   "stop_reason": "tool_use", "usage": {"input_tokens": 7}})
    body = s.post().json()
    assert [b["type"] for b in body["content"]] == ["thinking", "text", "tool_use"]
    assert body["content"][0]["signature"]
    assert body["usage"]["input_tokens"] == 7


def test_streamed_rule_message_follows_the_grammar(s):
    s.add(respond={"text": "streamed words here", "pacing": {"between_events": "1ms"}})
    response = s.post(ask(stream=True))
    names = [line[7:] for line in response.text.splitlines() if line.startswith("event: ")]
    assert names[0] == "message_start" and names[-1] == "message_stop"
    assert "content_block_delta" in names and names[-2] == "message_delta"


def test_error_response(s):
    s.add(respond={"error": {"type": "billing_error", "message": "pay up", "status": 402, "retry_after": 2,
                             "details": {"error_code": "x"}}, "headers": {"x-extra": 1}})
    response = s.post()
    assert response.status_code == 402
    assert response.json()["error"] == {"type": "billing_error", "message": "pay up", "details": {"error_code": "x"}}
    assert response.json()["request_id"] == response.headers["request-id"]
    assert (response.headers["retry-after"], response.headers["x-extra"]) == ("2", "1")


def test_unknown_error_type_with_any_status(s):
    s.add(respond={"error": {"type": "service_unavailable", "status": 503}})
    response = s.post()
    assert response.status_code == 503 and response.json()["error"]["type"] == "service_unavailable"


def test_raw_response(s):
    s.add(respond={"status": 503, "body": "<html>bad gateway</html>", "content_type": "text/html",
                   "headers": {"x-should-retry": "true"}})
    response = s.post()
    assert (response.status_code, response.text) == (503, "<html>bad gateway</html>")
    assert response.headers["content-type"] == "text/html"


def test_pass_through_with_headers(s):
    s.add(match={"operation": "messages_create"}, respond={"headers": {"x-canary": "yes"}})
    response = s.post()
    assert response.status_code == 200 and response.headers["x-canary"] == "yes"
    assert response.json()["type"] == "message"


def test_openai_endpoint_errors_in_openai_shape(s):
    s.add(match={"operation": "chat_completions_create"}, respond={"error": "rate_limit_error"})
    response = s.post({"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}, path="/v1/chat/completions")
    assert response.status_code == 429 and response.json()["error"]["type"] == "rate_limit_error"
    assert "request_id" not in response.json()


# -- header overrides ----------------------------------------------------------------------------

def test_header_overrides(s):
    response = s.post(**{"x-mock-error": "overloaded_error", "x-mock-error-status": "503",
                         "x-mock-error-message": "busy", "x-mock-retry-after-ms": "250", "x-mock-should-retry": "false"})
    assert response.status_code == 503 and response.json()["error"]["message"] == "busy"
    assert (response.headers["retry-after-ms"], response.headers["x-should-retry"]) == ("250", "false")
    assert s.post(**{"x-mock-error": "api_error", "x-mock-error-count": "1", "x-stainless-retry-count": "1"}) \
        .status_code == 200
    assert s.post(**{"x-mock-delay": "1ms"}).status_code == 200


@pytest.mark.parametrize("name, value", [("x-mock-delay", "soon"), ("x-mock-fault", "explode=1"),
                                         ("x-mock-error-count", "x")])
def test_bad_header_overrides_are_400(s, name, value):
    extra = {name: value, **({"x-mock-error": "api_error"} if name == "x-mock-error-count" else {})}
    response = s.post(**extra)
    assert response.status_code == 400 and "x-mock" in response.json()["error"]["message"]


# -- validation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("rule, words", [
    ({"respond": {"text": "x"}, "colour": "red"}, "colour"),
    ({"respond": {"text": "x"}, "sequence": [{"text": "y"}]}, "rule"),
    ({"match": {}}, "rule"),
    ({"respond": {"text": "x", "error": "api_error"}}, "one body"),
    ({"respond": {"stop_reason": "end_turn"}}, "only go with"),
    ({"respond": {"text": "x"}, "match": {"last_user_text": "("}}, "rule"),
    ({"respond": {"delay": "soon"}}, "duration"),
    ({"respond": {"text": "x"}, "then": "loop"}, "sequence"),
    ({"respond": {"text": "x"}, "state": "a"}, "scenario"),
    ({"respond": {"fault": {"drip": {"bytes": 0, "every": "1ms"}}}}, "bytes"),
    ({"respond": {"text": "x"}, "match": {"body": [{"path": "max_tokens", "equals": 1}]}}, "path"),
])
def test_bad_rules_say_what_is_wrong(rule, words):
    with pytest.raises(RuleError) as raised:
        parse_rule(rule, source="test", order=0, default_id="r1")
    assert words in str(raised.value)


def test_duplicate_ids_in_a_file():
    with pytest.raises(RuleError, match="two rules"):
        parse_rules([{"id": "x", "respond": {"text": "a"}}, {"id": "x", "respond": {"text": "b"}}], source="f")


def test_control_api_rejects_bad_rules(app):
    response = app.post("/_mock/rules", json={"respond": {"text": "x"}, "colour": "red"})
    assert response.status_code == 400
    assert "colour" in response.json()["error"]["message"]

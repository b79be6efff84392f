"""The control API under /_mock: rules, journal, verification, reset, access rules, and its spec."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from openapi_spec_validator import validate

from mockserver.app import create_app
from mockserver.config import Config

from ..helpers import MODEL, asgi_client, headers

CONTROL_SPEC = Path(__file__).resolve().parents[2] / "openapi" / "control.yaml"
ASK = {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "Hello there"}]}


@pytest.fixture
def app():
    return asgi_client()


def send(client, n=1, session=None, body=None, **extra):
    extra = {**extra, **({"x-mock-session": session} if session else {})}
    return [client.post("/v1/messages", json=body or ASK, headers=headers(**extra)) for _ in range(n)]


def test_control_spec_is_valid_openapi_and_matches_the_routes():
    spec = yaml.safe_load(CONTROL_SPEC.read_text())
    validate(spec)
    from mockserver.control import control_app
    from mockserver.scenarios.controls import Controls

    app = create_app(Config())
    routes = control_app(app.state, Controls(app.behaviour)).app.routes
    served = {(route.path.replace(":path", ""), method) for route in routes for method in route.methods - {"HEAD"}}
    documented = {(path, method.upper()) for path, item in spec["paths"].items() for method in item
                  if method != "parameters"}
    assert served == documented


def test_rules_crud(app):
    added = app.post("/_mock/rules", json={"rules": [{"id": "one", "respond": {"text": "1"}},
                                                     {"respond": {"text": "2"}}]}).json()["rules"]
    assert [r["id"] for r in added][0] == "one" and added[1]["id"].startswith("rule-")
    assert all(r["source"] == "api" for r in added)
    listed = app.get("/_mock/rules").json()["rules"]
    assert {r["id"] for r in listed} == {r["id"] for r in added}
    assert app.get("/_mock/rules/one").json()["respond"] == {"text": "1"}
    assert app.delete("/_mock/rules/one").json() == {"deleted": 1}
    assert app.get("/_mock/rules/one").status_code == 404
    assert app.delete("/_mock/rules").json() == {"deleted": 1}
    assert app.get("/_mock/rules").json()["rules"] == []


def test_rules_from_yaml_bodies(app):
    document = "rules:\n  - id: y\n    match: {model: claude-*}\n    respond: {text: from yaml}\n"
    response = app.post("/_mock/rules", content=document, headers={"content-type": "application/yaml"})
    assert response.status_code == 201
    assert send(app)[0].json()["content"][0]["text"] == "from yaml"


def test_file_rules_cannot_be_deleted_through_the_api(tmp_path):
    rules = tmp_path / "r.yaml"
    rules.write_text("- id: pinned\n  respond: {text: pinned}\n")
    client = asgi_client(rules_files=(rules,))
    listed = client.get("/_mock/rules").json()["rules"]
    assert listed[0]["source"] == f"file:{rules}"
    assert client.delete("/_mock/rules/pinned").status_code == 409
    client.post("/_mock/reset")
    assert send(client)[0].json()["content"][0]["text"] == "pinned"


def test_session_rules_list_and_reset(app):
    app.post("/_mock/rules", json={"respond": {"text": "global"}})
    app.post("/_mock/rules", json={"respond": {"text": "mine"}}, headers={"x-mock-session": "a"})
    app.post("/_mock/rules", json={"respond": {"text": "theirs"}}, params={"session": "b"})
    mine = app.get("/_mock/rules", headers={"x-mock-session": "a"}).json()["rules"]
    assert [r["respond"]["text"] for r in mine] == ["mine", "global"]
    app.post("/_mock/reset", json={"session": "a"})
    assert len(app.get("/_mock/rules").json()["rules"]) == 2
    app.post("/_mock/reset")
    assert app.get("/_mock/rules").json()["rules"] == []


def test_journal_starts_with_the_first_control_call():
    client = asgi_client()
    send(client)
    assert client.get("/_mock/journal").json() == {"enabled": True, "requests": [], "has_more": False, "next_before": None}
    send(client)
    assert len(client.get("/_mock/journal").json()["requests"]) == 1


def test_journal_on_from_the_start_and_switchable():
    client = asgi_client(journal=True)
    send(client)
    assert len(client.get("/_mock/journal").json()["requests"]) == 1
    assert client.put("/_mock/journal", json={"enabled": False}).json() == {"enabled": False}
    send(client)
    assert len(client.get("/_mock/journal").json()["requests"]) == 1
    assert client.put("/_mock/journal", json={"enabled": "yes"}).status_code == 400


def test_journal_entries_and_filters(app):
    app.get("/_mock/journal")
    app.post("/_mock/rules", json={"id": "boom", "match": {"nth": 2}, "respond": {"error": "api_error"}})
    send(app, 3)
    app.get("/v1/models", headers=headers())
    app.post("/v1/messages", content=b"{", headers=headers())
    app.post("/v1/messages", json=ASK, headers={"anthropic-version": "2023-06-01"})
    entries = app.get("/_mock/journal").json()["requests"]
    assert [e["status"] for e in entries] == [200, 500, 200, 200, 400, 401]
    first = entries[0]
    assert first["operation"] == "messages_create" and first["method"] == "POST" and first["path"] == "/v1/messages"
    assert first["body"] == ASK and first["headers"]["anthropic-version"] and first["request_id"].startswith("req_")
    assert first["elapsed_ms"] >= 0 and first["stream"] is False and first["session"] == ""
    assert entries[1]["rule"] == "boom" and entries[1]["error"] == "api_error"
    assert entries[4]["body"] is None and entries[4]["error"] == "invalid_request_error"
    query = lambda **params: app.get("/_mock/journal", params=params).json()["requests"]  # noqa: E731
    assert len(query(operation="messages_create")) == 5
    assert len(query(status=500)) == 1 and query(rule="boom")[0]["status"] == 500
    assert len(query(method="get")) == 1 and len(query(path="/v1/models")) == 1
    assert [e["seq"] for e in query(since=entries[3]["seq"])] == [e["seq"] for e in entries[4:]]
    assert query(limit=1) == entries[-1:]
    assert app.get("/_mock/journal", params={"limit": "x"}).status_code == 400
    assert app.delete("/_mock/journal").json() == {"deleted": 6}


def test_verify(app):
    app.get("/_mock/journal")
    send(app, 2, session="v")
    send(app, 1, session="v", body={**ASK, "max_tokens": 99})
    send(app, 4, session="other")
    verify = lambda body, **kw: app.post("/_mock/verify", json=body, **kw).json()  # noqa: E731
    assert verify({"match": {"operation": "messages_create"}, "count": 3}, headers={"x-mock-session": "v"}) == \
        {"count": 3, "ok": True}
    assert verify({"session": "v", "match": {"body": [{"path": "$.max_tokens", "equals": 99}]}})["count"] == 1
    assert verify({"match": {"model": MODEL}, "at_least": 8})["ok"] is False
    assert verify({"match": {}, "at_most": 7})["ok"] is True
    assert verify({"status": 200, "count": 7})["ok"] is True
    assert app.post("/_mock/verify", json={"match": {"bogus": 1}}).status_code == 400


def test_reset_parts(app):
    app.post("/_mock/rules", json={"sequence": [{"text": "a"}, {"text": "b"}]})
    assert send(app)[0].json()["content"][0]["text"] == "a"
    assert app.post("/_mock/reset", json={"rules": False, "journal": False}).json() == \
        {"rules": False, "state": True, "journal": False, "rate_limits": True}
    assert send(app)[0].json()["content"][0]["text"] == "a"  # counters reset, rule kept
    assert len(app.get("/_mock/journal").json()["requests"]) == 2
    assert app.post("/_mock/reset", json={"bogus": True}).status_code == 400


def test_health_and_errors(app):
    assert app.get("/_mock/health").json()["status"] == "ok"
    assert app.get("/_mock/nothing").status_code == 404
    assert app.post("/_mock/rules", content=b"{nope", headers={"content-type": "application/json"}).status_code == 400
    assert app.post("/_mock/rules", json=[1, 2]).status_code == 400
    assert app.put("/_mock/scenarios/x", json={}).status_code == 400


def _client_from(host: str, config: Config) -> httpx.Client:
    import asyncio

    transport = httpx.ASGITransport(app=create_app(config), client=(host, 5555))
    loop = asyncio.new_event_loop()

    class Sync(httpx.BaseTransport):
        def handle_request(self, request):
            async def call():
                response = await transport.handle_async_request(request)
                return httpx.Response(response.status_code, headers=response.headers, content=await response.aread())
            return loop.run_until_complete(call())

    return httpx.Client(transport=Sync(), base_url="http://localhost")  # /_mock wants a loopback Host


def test_loopback_only_by_default():
    remote = _client_from("10.1.2.3", Config())
    assert remote.get("/_mock/rules").status_code == 403
    assert remote.get("/_mock/health").status_code == 200
    assert _client_from("::1", Config()).get("/_mock/rules").status_code == 200


def test_probes_are_open_to_a_remote_orchestrator_and_sqlite_is_always_ready():
    remote = _client_from("10.1.2.3", Config(control_token="s3cret"))
    assert remote.get("/_mock/health/live").json() == {"status": "ok"}
    assert remote.get("/_mock/health/ready").json() == {"status": "ready", "store": "sqlite"}
    assert remote.get("/_mock/journal").status_code == 401  # the probes open nothing else


def test_control_token():
    remote = _client_from("10.1.2.3", Config(control_token="s3cret"))
    assert remote.get("/_mock/rules").status_code == 401
    assert remote.get("/_mock/rules", headers={"authorization": "Bearer wrong"}).status_code == 401
    assert remote.get("/_mock/rules", headers={"authorization": "Bearer s3cret"}).status_code == 200
    assert _client_from("127.0.0.1", Config(control_token="s3cret")).get("/_mock/rules").status_code == 401

"""What the inspector page reads, without a browser: its assets and their headers, the Origin
check, the journal's recorded responses (JSON bodies, SSE timelines) and GET /_mock/state."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mockserver.config import Config
from mockserver.http.capture import MAX_BODY, ResponseCapture, response_view, sse_timeline

from ..helpers import MESSAGE_BODY, MODEL, asgi_client, headers

TOKEN = "s3cret"


@pytest.fixture(scope="module")
def app() -> httpx.Client:
    return asgi_client(Config(seed=11, rate_limits=("requests=50",)))


def test_page_and_assets_are_served_from_the_package_with_strict_headers(app):
    page = app.get("/_mock/ui")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/_mock/ui/inspector.js"' in page.text and "https://" not in page.text  # no CDN
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    for name, kind in (("inspector.js", "text/javascript"), ("snippets.js", "text/javascript"),
                       ("inspector.css", "text/css")):
        asset = app.get(f"/_mock/ui/{name}")
        assert asset.status_code == 200 and asset.headers["content-type"].startswith(kind), name
    assert app.get("/_mock/ui/other.js").status_code == 404


def test_with_a_token_the_assets_load_but_the_data_needs_it():
    client = asgi_client(Config(control_token=TOKEN))
    assert client.get("/_mock/ui").status_code == 200
    assert client.get("/_mock/ui/inspector.js").status_code == 200
    assert client.get("/_mock/state").status_code == 401
    assert client.get("/_mock/state", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_requests_from_another_origin_are_refused(app):
    same = {"host": "127.0.0.1:4010", "origin": "http://127.0.0.1:4010"}
    assert app.get("/_mock/journal", headers=same).status_code == 200
    assert app.get("/_mock/journal").status_code == 200  # no Origin: not a browser page
    for origin in ("http://evil.example", "null", "http://127.0.0.1:9999"):
        foreign = {"host": "127.0.0.1:4010", "origin": origin}
        refused = app.post("/_mock/rules", headers=foreign, json={"match": {}, "respond": {"text": "x"}})
        assert refused.status_code == 403 and refused.json()["error"]["type"] == "permission_error", origin
        assert app.get("/_mock/ui", headers=foreign).status_code == 403
    assert app.get("/_mock/rules").json()["rules"] == []
    assert app.get("/_mock/health", headers={"origin": "http://evil.example"}).status_code == 200


def test_the_journal_keeps_each_response(app):
    app.post("/_mock/reset", json={})
    reply = app.post("/v1/messages", json=MESSAGE_BODY, headers=headers()).json()
    app.post("/v1/messages", json={**MESSAGE_BODY, "stream": True}, headers=headers())
    app.post("/v1/messages", json={**MESSAGE_BODY, "model": "claude-no-such-model"}, headers=headers())
    plain, streamed, failed = app.get("/_mock/journal").json()["requests"]
    assert plain["response"]["body"] == reply and plain["response"]["status"] == 200
    assert plain["response"]["headers"]["content-type"] == "application/json"
    events = streamed["response"]["events"]
    assert [e["event"] for e in events][:1] == ["message_start"] and events[-1]["event"] == "message_stop"
    assert all(isinstance(e["offset_ms"], float) for e in events) and events[0]["data"]["type"] == "message_start"
    assert failed["response"]["status"] == 404 and failed["response"]["body"]["error"]["type"] == "not_found_error"


def test_sse_timeline_joins_events_split_across_writes():
    chunks = [[0.5, 'event: ping\ndata: {"type": "pi'], [2.0, 'ng"}\n\nevent: error\ndata: {"type": "error"}\n\n'],
              [3.0, "data: [DONE]\n\n"]]
    assert sse_timeline(chunks) == [
        {"offset_ms": 2.0, "event": "ping", "data": {"type": "ping"}},
        {"offset_ms": 2.0, "event": "error", "data": {"type": "error"}},
        {"offset_ms": 3.0, "event": None, "data": "[DONE]"},
    ]


def test_a_capture_keeps_a_few_headers_and_at_most_max_body_bytes():
    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    capture = ResponseCapture(send)
    start = {"type": "http.response.start", "status": 200, "headers": [
        (b"content-type", b"application/json"), (b"x-secret-header", b"no"), (b"request-id", b"req_1")]}
    chunks = [{"type": "http.response.body", "body": b"x" * MAX_BODY, "more_body": True},
              {"type": "http.response.body", "body": b"y" * 10}]
    for message in (start, *chunks):
        asyncio.run(capture(message))
    assert sent == [start, *chunks]  # passed on untouched
    view = response_view(capture.summary())
    assert view["headers"] == {"content-type": "application/json", "request-id": "req_1"}
    assert view["size"] == MAX_BODY + 10 and view["truncated"] is True and view["body"] == "x" * MAX_BODY


def test_state_shows_what_the_mock_serves(app):
    app.post("/v1/messages", json=MESSAGE_BODY, headers=headers())
    batch = app.post("/v1/messages/batches", headers=headers(), json={
        "requests": [{"custom_id": "a", "params": MESSAGE_BODY}]}).json()
    uploaded = app.post("/v1/files", headers=headers(anthropic_beta="files-api-2025-04-14"),
                        files={"file": ("notes.txt", b"hello", "text/plain")}).json()
    app.post("/_mock/rules", json={"id": "twice", "times": 2, "match": {"operation": "models_list"},
                                   "respond": {"status": 200, "body": {"data": []}}})
    app.get("/v1/models", headers=headers())
    state = app.get("/_mock/state").json()
    assert state["stateless"] is False
    assert {"id": batch["id"], "processing_status": "in_progress", "request_count": 1} \
        .items() <= next(b for b in state["batches"] if b["id"] == batch["id"]).items()
    assert any(f["id"] == uploaded["id"] and f["filename"] == "notes.txt" for f in state["files"])
    bucket = next(b for b in state["rate_limits"]["buckets"] if b["model"] == MODEL)
    assert state["rate_limits"]["enforced"] is True and bucket["limits"]["requests"] == 50
    assert bucket["remaining"]["requests"] < 50 and not bucket["api_key"].endswith("test-key")
    assert state["counters"] == [{"session": "", "rule": "twice", "seen": 1, "served": 1}]


def test_state_in_stateless_mode_is_empty_but_answers():
    state = asgi_client(Config(stateless=True)).get("/_mock/state").json()
    assert state["stateless"] is True and state["batches"] == state["files"] == state["skills"] == []



def test_a_download_is_recorded_by_its_size_only():
    async def send(message: dict) -> None:
        pass

    capture = ResponseCapture(send)
    asyncio.run(capture({"type": "http.response.start", "status": 200,
                         "headers": [(b"content-type", b"application/zip")]}))
    asyncio.run(capture({"type": "http.response.body", "body": bytes(range(256)) * 4}))
    assert capture.summary()["chunks"] == []
    assert response_view(capture.summary())["body"] == "(1024 bytes of application/zip)"

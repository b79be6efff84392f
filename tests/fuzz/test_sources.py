"""Reply sources through a real server: seeded replies replay per run, a retry draws anew, faults reach
the client as the API would send them, and without a source the handlers answer again."""

from __future__ import annotations

import httpx
import pytest

from mockserver.config import Config
from mockserver.fuzz.profiles import PROFILES, Simplify
from mockserver.fuzz.sources import SeededSource
from mockserver.server import MockServer

from ..helpers import MODEL

ASK = {"model": "claude-sonnet-4-5", "max_tokens": 256, "messages": [{"role": "user", "content": "Hi"}]}
HEADERS = {"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}


@pytest.fixture(scope="module")
def server():
    with MockServer(Config(seed=3)) as running:
        yield running


def post(server: MockServer, body: dict, **headers: str) -> httpx.Response:
    return httpx.post(server.base_url + "/v1/messages", json=body, headers={**HEADERS, **headers}, timeout=30)


def run(server: MockServer, source: SeededSource, bodies: list[dict]) -> list[bytes]:
    server.app.set_reply_source(source)
    try:
        return [post(server, body).content for body in bodies]
    finally:
        server.app.set_reply_source(None)


def test_a_seeded_run_replays_byte_for_byte_and_a_retry_draws_anew(server):
    bodies = [ASK, ASK, {**ASK, "stream": True}]
    first = run(server, SeededSource(5, PROFILES["today"]), bodies)
    assert first == run(server, SeededSource(5, PROFILES["today"]), bodies)
    assert first != run(server, SeededSource(6, PROFILES["today"]), bodies)
    assert first[0] != first[1]  # the same request again: the next draw


def test_the_plain_and_the_streamed_reply_carry_one_message(server):
    source = SeededSource(8, PROFILES["today"], Simplify(extras=0))
    run(server, source, [ASK, {**ASK, "stream": True}])
    plain, streamed = source.sent
    assert plain.message == streamed.message and not plain.streamed and streamed.streamed


def test_faults_reach_the_client_as_the_api_sends_them(server):
    source = SeededSource(0, PROFILES["faults"])
    server.app.set_reply_source(source)
    seen = set()
    try:
        for _ in range(40):
            try:
                response = post(server, ASK)
            except httpx.RemoteProtocolError:
                assert source.sent[-1].cut
                seen.add("cut")
                continue
            drawn = source.sent[-1]
            assert response.status_code == drawn.status
            if drawn.status >= 400:
                assert response.json()["error"]["type"] in ("rate_limit_error", "overloaded_error")
                assert response.json()["request_id"] == response.headers["request-id"]
                for name, value in drawn.headers.items():
                    assert response.headers[name] == value
                seen.add(drawn.status)
            else:
                assert response.json() == drawn.message
    finally:
        server.app.set_reply_source(None)
    assert {429, 529, "cut"} <= seen


def test_without_a_source_the_handlers_answer(server):
    response = post(server, {**ASK, "model": MODEL})
    assert response.status_code == 200 and "x-mock-fuzz-seed" not in response.headers
    assert response.json()["content"][0]["type"] == "text"

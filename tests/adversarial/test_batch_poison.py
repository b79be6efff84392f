"""Issue 11 item 9: the batch path validates like /v1/messages, and no stored request can make a
read of its batch, its results or the batch list fail."""

from __future__ import annotations

import json

import httpx
import orjson
import pytest

from ..helpers import MESSAGE_BODY, headers
from .servers import ServerProcess, ServerThread
from .support import Server, assert_invalid_request, hostile_post, post

WHOLE_FLOAT_BODY = json.dumps({**MESSAGE_BODY, "max_tokens": 32.0}).encode()  # keeps the `32.0` literal


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as process:
        yield process


def batch_of(params_json: bytes) -> bytes:
    return b'{"requests":[{"custom_id":"poison","params":' + params_json + b"}]}"


def assert_reads_succeed(server: Server, batch_id: str) -> list[dict]:
    for path in (f"/v1/messages/batches/{batch_id}", "/v1/messages/batches"):
        response = httpx.get(f"{server.base_url}{path}", headers=headers(), timeout=30)
        assert response.status_code == 200, response.text
    results = httpx.get(f"{server.base_url}/v1/messages/batches/{batch_id}/results", headers=headers(), timeout=30)
    assert results.status_code == 200, results.text
    return [orjson.loads(line)["result"] for line in results.text.splitlines()]


def test_max_tokens_32_point_0_is_read_as_32_in_batches_and_messages(server):
    assert "32.0" in WHOLE_FLOAT_BODY.decode()
    direct = post(server, "/v1/messages", WHOLE_FLOAT_BODY)
    assert direct.status_code == 200, direct.text
    created = hostile_post(server, "/v1/messages/batches", batch_of(WHOLE_FLOAT_BODY))
    assert created.status_code == 200, created.text
    (result,) = assert_reads_succeed(server, created.json()["id"])
    assert result["type"] == "succeeded"
    assert result["message"]["content"] and result["message"]["usage"]["output_tokens"] <= 32


def test_max_tokens_above_the_model_limit_is_refused_as_on_messages(server):
    params = json.dumps({**MESSAGE_BODY, "max_tokens": 1_000_000}).encode()
    on_messages = assert_invalid_request(post(server, "/v1/messages", params), "max_tokens")
    response = hostile_post(server, "/v1/messages/batches", batch_of(params))
    assert assert_invalid_request(response) == f"requests.0.params.{on_messages}"


def test_a_fractional_max_tokens_is_refused_in_both_places(server):
    params = json.dumps({**MESSAGE_BODY, "max_tokens": 32.5}).encode()
    assert_invalid_request(post(server, "/v1/messages", params), "max_tokens")
    assert_invalid_request(post(server, "/v1/messages/batches", batch_of(params)), "requests.0.params.max_tokens")


def test_a_request_that_breaks_the_engine_errors_alone_and_reads_still_work(monkeypatch):
    import mockserver.engine as engine

    real = engine.create_message

    def breaks_on_poison(params, ctx):
        if params.get("metadata", {}).get("user_id") == "poison":
            raise TypeError("a stored request the engine cannot run")
        return real(params, ctx)

    monkeypatch.setattr(engine, "create_message", breaks_on_poison)
    poison = json.dumps({**MESSAGE_BODY, "metadata": {"user_id": "poison"}}).encode()
    raw = (b'{"requests":[{"custom_id":"ok","params":' + json.dumps(MESSAGE_BODY).encode() + b'},'
           b'{"custom_id":"poison","params":' + poison + b"}]}")
    with ServerThread() as server:
        created = post(server, "/v1/messages/batches", raw)
        assert created.status_code == 200, created.text
        ok, broken = assert_reads_succeed(server, created.json()["id"])
    assert ok["type"] == "succeeded"
    assert broken["type"] == "errored"
    assert broken["error"]["error"]["type"] == "api_error"

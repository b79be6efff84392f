"""Vertex AI through the official AnthropicVertex client: rawPredict, streamRawPredict (SSE),
count-tokens, tool use, the model's errors passed through in the Anthropic envelope and Vertex's own
in Google's, over a real socket."""

from __future__ import annotations

import anthropic
import pytest

from .support import PROMPT, WEATHER_TOOL, blocks, first_party, post

MODEL = "claude-sonnet-4-6"
BASE = "/v1/projects/my-project/locations/us-east5/publishers/anthropic/models"


@pytest.fixture
def vertex(server):
    return anthropic.AnthropicVertex(region="us-east5", project_id="my-project", access_token="ya29.test-token",
                                     base_url=f"{server.base_url}/v1", max_retries=0)


def test_create_and_stream_answer_like_the_first_party_api(server, vertex):
    reply = vertex.messages.create(model=MODEL, max_tokens=256, messages=PROMPT)
    same = first_party(server).messages.create(model=MODEL, max_tokens=256, messages=PROMPT)
    assert reply.content == same.content and reply.usage == same.usage
    with vertex.messages.stream(model=MODEL, max_tokens=256, messages=PROMPT) as stream:
        streamed = stream.get_final_message()
    assert blocks(streamed) == blocks(same)


def test_dated_model_ids_and_count_tokens(server, vertex):
    counted = vertex.messages.count_tokens(model=MODEL, messages=PROMPT)
    assert counted.input_tokens == first_party(server).messages.count_tokens(model=MODEL, messages=PROMPT).input_tokens
    dated = vertex.messages.create(model="claude-haiku-4-5@20251001", max_tokens=32, messages=PROMPT)
    assert dated.model == "claude-haiku-4-5-20251001"


def test_tool_use(vertex):
    reply = vertex.messages.create(model=MODEL, max_tokens=512, tools=[WEATHER_TOOL], tool_choice={"type": "any"},
                                   messages=[{"role": "user", "content": "Weather in Lima?"}])
    assert any(block.type == "tool_use" and block.name == "get_weather" for block in reply.content)


def test_model_errors_pass_through_and_the_client_retries_them(server):
    vertex = anthropic.AnthropicVertex(region="us-east5", project_id="my-project", access_token="ya29.t",
                                       base_url=f"{server.base_url}/v1", max_retries=2)
    reply = vertex.messages.create(model=MODEL, max_tokens=32, messages=PROMPT,
                                   extra_headers={"x-mock-error": "rate_limit_error", "x-mock-error-count": "1",
                                                  "x-mock-session": "vertex-retry"})
    assert reply.content
    with pytest.raises(anthropic.BadRequestError) as raised:
        vertex.with_options(max_retries=0).messages.create(model=MODEL, max_tokens=-1, messages=PROMPT)
    assert raised.value.body["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("path,headers,body,status,google", [
    (f"{BASE}/{MODEL}:rawPredict", {}, {"anthropic_version": "vertex-2023-10-16"}, 401, "UNAUTHENTICATED"),
    (f"{BASE}/{MODEL}:predict", {"authorization": "Bearer t"}, {}, 404, "NOT_FOUND"),
    (f"{BASE}/{MODEL}:rawPredict", {"authorization": "Bearer t"}, b"[", 400, "INVALID_ARGUMENT"),
    (f"{BASE}/{MODEL}:rawPredict", {"authorization": "Bearer t"}, {"max_tokens": 5, "messages": PROMPT}, 400,
     "INVALID_ARGUMENT"),
])
def test_vertexs_own_errors_are_googles_shape(server, path, headers, body, status, google):
    content = body if isinstance(body, bytes) else __import__("json").dumps(body).encode()
    response = post(server, path, content=content, headers={"content-type": "application/json", **headers})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == status and error["status"] == google and error["message"]

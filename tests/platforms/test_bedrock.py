"""Amazon Bedrock through the official AnthropicBedrock client: InvokeModel JSON and streamed (AWS
event-stream frames, every CRC checked by botocore's own parser), tool use, count tokens, and
Bedrock's own error shapes, over a real socket."""

from __future__ import annotations

import base64
import json

import anthropic
import pytest
from botocore.eventstream import EventStreamBuffer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .support import AWS, PROMPT, WEATHER_TOOL, first_party, post, signed_headers

MODEL = "us.anthropic.claude-sonnet-4-6-v1:0"  # a cross-region inference profile


@pytest.fixture
def bedrock(server):
    return anthropic.AnthropicBedrock(base_url=server.base_url, max_retries=0, **AWS)


def test_create_answers_like_the_first_party_api(server, bedrock):
    reply = bedrock.messages.create(model=MODEL, max_tokens=256, messages=PROMPT)
    same = first_party(server).messages.create(model="claude-sonnet-4-6", max_tokens=256, messages=PROMPT)
    assert reply.content == same.content and reply.usage.input_tokens == same.usage.input_tokens
    assert reply.model == "claude-sonnet-4-6" and reply.stop_reason == same.stop_reason
    raw = bedrock.messages.with_raw_response.create(model=MODEL, max_tokens=256, messages=PROMPT)
    assert raw.headers["x-amzn-bedrock-output-token-count"] == str(same.usage.output_tokens)
    assert int(raw.headers["x-amzn-bedrock-invocation-latency"]) >= 1


def test_a_stream_accumulates_to_the_first_party_stream(server, bedrock):
    with bedrock.messages.stream(model=MODEL, max_tokens=256, messages=PROMPT) as stream:
        message = stream.get_final_message()
    with first_party(server).messages.stream(model="claude-sonnet-4-6", max_tokens=256, messages=PROMPT) as stream:
        expected = stream.get_final_message()
    assert message.model_dump(exclude={"id"}) == expected.model_dump(exclude={"id"})


def test_every_frame_passes_botocore_and_carries_one_anthropic_event(server):
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 128, "messages": PROMPT}
    response = post(server, f"/model/{MODEL}/invoke-with-response-stream", json=body, headers=signed_headers())
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.amazon.eventstream"
    frames = EventStreamBuffer()
    frames.add_data(response.content)  # a CRC mismatch raises here
    events = []
    for frame in frames:
        assert frame.headers[":message-type"] == "event" and frame.headers[":event-type"] == "chunk"
        events.append(json.loads(base64.b64decode(json.loads(frame.payload)["bytes"])))
    kinds = [event["type"] for event in events]
    assert kinds[0] == "message_start" and kinds[-1] == "message_stop" and "ping" not in kinds
    metrics = events[-1]["amazon-bedrock-invocationMetrics"]
    assert metrics["inputTokenCount"] == events[0]["message"]["usage"]["input_tokens"]


def test_tool_use(bedrock):
    reply = bedrock.messages.create(model=MODEL, max_tokens=512, tools=[WEATHER_TOOL],
                                    tool_choice={"type": "tool", "name": "get_weather"},
                                    messages=[{"role": "user", "content": "Weather in Paris?"}])
    assert reply.stop_reason == "tool_use"
    call = next(block for block in reply.content if block.type == "tool_use")
    assert call.name == "get_weather" and isinstance(call.input["city"], str)


def test_count_tokens_wraps_an_invoke_model_body(server):
    inner = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, "messages": PROMPT}
    response = post(server, f"/model/{MODEL}/count-tokens", headers=signed_headers(),
                    json={"input": {"invokeModel": {"body": json.dumps(inner)}}})
    expected = first_party(server).messages.count_tokens(model="claude-sonnet-4-6", messages=PROMPT)
    assert response.status_code == 200 and response.json() == {"inputTokens": expected.input_tokens}


def test_overload_is_a_503_service_unavailable_the_client_retries(server):
    bedrock = anthropic.AnthropicBedrock(base_url=server.base_url, max_retries=2, **AWS)
    reply = bedrock.messages.create(model=MODEL, max_tokens=64, messages=PROMPT,
                                    extra_headers={"x-mock-error": "overloaded_error", "x-mock-error-count": "1",
                                                   "x-mock-session": "bedrock-retry"})
    assert reply.content
    raw = post(server, f"/model/{MODEL}/invoke", headers={**signed_headers(), "x-mock-error": "overloaded_error"},
               json={"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, "messages": PROMPT})
    assert raw.status_code == 503
    assert raw.headers["x-amzn-errortype"].startswith("ServiceUnavailableException:")
    assert set(raw.json()) == {"message"}


def test_an_error_mid_stream_is_an_exception_frame(server):
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 128, "messages": PROMPT}
    headers = {**signed_headers(), "x-mock-fault": "error_after_events=3,error=overloaded_error"}
    response = post(server, f"/model/{MODEL}/invoke-with-response-stream", json=body, headers=headers)
    frames = EventStreamBuffer()
    frames.add_data(response.content)
    last = list(frames)[-1]
    assert last.headers[":message-type"] == "exception"
    assert last.headers[":exception-type"] == "serviceUnavailableException"
    assert "message" in json.loads(last.payload)


@pytest.mark.parametrize("headers,body,status,kind", [
    ({}, {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": PROMPT}, 403,
     "MissingAuthenticationTokenException"),
    ({"authorization": "AWS4-HMAC-SHA256 Credential=short"}, {}, 403, "IncompleteSignatureException"),
    (signed_headers("s3"), {}, 403, "InvalidSignatureException"),
    (signed_headers(), b"{not json", 400, "ValidationException"),
    (signed_headers(), {"max_tokens": 5, "messages": PROMPT}, 400, "ValidationException"),
    (signed_headers(), {"anthropic_version": "bedrock-2023-05-31", "model": "x", "max_tokens": 5,
                        "messages": PROMPT}, 400, "ValidationException"),
    (signed_headers(), {"anthropic_version": "bedrock-2023-05-31", "messages": PROMPT}, 400, "ValidationException"),
])
def test_bad_input_gets_bedrocks_error_shape(server, headers, body, status, kind):
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = post(server, f"/model/{MODEL}/invoke", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-errortype"].split(":")[0] == kind
    assert isinstance(response.json()["message"], str)


def test_unknown_operations_and_models_never_answer_500(server):
    for path in ("/model/x/converse", "/model//invoke", f"/model/{MODEL}/invoke/extra"):
        assert post(server, path, json={}, headers=signed_headers()).status_code < 500
    missing = post(server, "/model/anthropic.claude-nothing-v1:0/invoke", headers=signed_headers(),
                   json={"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5, "messages": PROMPT})
    assert missing.status_code == 404
    assert missing.headers["x-amzn-errortype"].startswith("ResourceNotFoundException:")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=64), st.dictionaries(
    st.sampled_from(["anthropic_version", "anthropic_beta", "max_tokens", "messages", "model", "stream", "input"]),
    st.one_of(st.none(), st.integers(-5, 5), st.text(max_size=8), st.lists(st.text(max_size=4), max_size=2)),
    max_size=5).map(lambda d: json.dumps(d).encode())),
    action=st.sampled_from(["invoke", "invoke-with-response-stream", "count-tokens"]))
def test_no_body_makes_a_platform_route_fail_with_a_5xx(server, body, action):
    response = post(server, f"/model/{MODEL}/{action}", content=body, headers=signed_headers())
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert "x-amzn-errortype" in response.headers and isinstance(response.json()["message"], str)

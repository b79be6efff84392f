"""What the official SDK sees when rules and headers script failures: retries, retry-after,
x-should-retry, errors inside streams, cut connections, stalls and slow drips."""

from __future__ import annotations

import time

import anthropic
import httpx
import httpx2
import pytest

from ..helpers import MODEL

ASK = {"model": MODEL, "max_tokens": 64, "messages": [{"role": "user", "content": "Hello there"}]}
CONNECTION_ERRORS = (anthropic.APIConnectionError, httpx.RemoteProtocolError, httpx2.RemoteProtocolError)
TIMEOUTS = (anthropic.APITimeoutError, httpx.TimeoutException, httpx2.TimeoutException)


def retry_counts(mock) -> list[str | None]:
    return [entry["headers"].get("x-stainless-retry-count") for entry in mock.journal()]


def test_two_overloaded_then_success_with_default_retries(mock):
    mock.fail_next(2, "overloaded_error")
    message = mock.client().messages.create(**ASK)
    assert message.content
    journal = mock.journal()
    assert [e["status"] for e in journal] == [529, 529, 200]
    assert retry_counts(mock) == ["0", "1", "2"]
    assert [e["error"] for e in journal] == ["overloaded_error", "overloaded_error", None]


def test_retries_run_out(mock):
    mock.fail_next(5, "api_error", retry_after=0.01)
    with pytest.raises(anthropic.InternalServerError) as raised:
        mock.client(max_retries=2).messages.create(**ASK)
    assert raised.value.type == "api_error"
    assert raised.value.request_id.startswith("req_")
    assert len(mock.journal()) == 3


def test_rate_limit_retry_after_is_honoured(mock):
    mock.fail_next(1, "rate_limit_error", retry_after=1)
    started = time.monotonic()
    mock.client().messages.create(**ASK)
    waited = time.monotonic() - started
    assert 0.8 <= waited < 30  # the SDK slept about retry-after, not its 0.5 s backoff
    assert [e["status"] for e in mock.journal()] == [429, 200]


def test_retry_after_ms_is_preferred(mock):
    mock.add_rule(match={"operation": "messages_create"}, times=1, respond={"error": {
        "type": "overloaded_error", "retry_after": 30, "retry_after_ms": 20}})
    started = time.monotonic()
    mock.client().messages.create(**ASK)
    assert time.monotonic() - started < 20  # not 30 s: retry-after-ms won


def test_should_retry_false_stops_retries(mock):
    mock.fail_next(1, "overloaded_error", should_retry=False)
    with pytest.raises(anthropic.OverloadedError):
        mock.client().messages.create(**ASK)
    assert len(mock.journal()) == 1


def test_should_retry_true_retries_a_400(mock):
    mock.add_rule(match={"operation": "messages_create"}, times=1,
                  respond={"error": {"type": "invalid_request_error", "should_retry": True, "retry_after_ms": 10}})
    mock.client().messages.create(**ASK)
    assert [e["status"] for e in mock.journal()] == [400, 200]


def test_error_event_after_n_stream_events(mock):
    mock.add_rule(match={"stream": True}, respond={"fault": {"error_after_events": 3, "error": "overloaded_error"}})
    received = []
    with pytest.raises(anthropic.APIStatusError) as raised:
        with mock.client().messages.stream(**ASK) as stream:
            for event in stream:
                received.append(event.type)
    assert raised.value.body["error"]["type"] == "overloaded_error"
    assert received[0] == "message_start" and "message_stop" not in received
    assert len(mock.journal()) == 1  # an error inside a 200 stream is not retried
    entry = mock.journal()[0]
    assert (entry["status"], entry["error"], entry["fault"]) == (200, "overloaded_error", "error_after_events")


def test_cut_stream_raises_a_connection_error(mock):
    mock.add_rule(match={"stream": True}, respond={"fault": {"cut_after_events": 2}})
    with pytest.raises(CONNECTION_ERRORS):
        with mock.client().messages.stream(**ASK) as stream:
            for _ in stream:
                pass


def test_cut_json_reply_is_retried_as_a_connection_error(mock):
    mock.add_rule(match={"operation": "messages_create"}, respond={"fault": {"cut_after_bytes": 20}})
    with pytest.raises(anthropic.APIConnectionError):
        mock.client(max_retries=1).messages.create(**ASK)
    assert [e["fault"] for e in mock.journal()] == ["cut_after_bytes", "cut_after_bytes"]


def test_stall_ends_in_a_client_timeout(mock):
    mock.add_rule(match={"stream": True}, respond={"fault": {"stall_after_events": 1}})
    with pytest.raises(TIMEOUTS):
        with mock.client(max_retries=0, timeout=0.5).messages.stream(**ASK) as stream:
            for _ in stream:
                pass


def test_delay_ends_in_a_client_timeout(mock):
    mock.add_rule(match={"operation": "messages_create"}, respond={"delay": "5s"})
    with pytest.raises(anthropic.APITimeoutError):
        mock.client(max_retries=0, timeout=0.3).messages.create(**ASK)


def test_slow_drip_still_delivers_the_whole_stream(mock):
    mock.add_rule(match={"stream": True}, respond={"text": "slowly but surely", "fault": {
        "drip": {"bytes": 200, "every": "1ms"}}})
    with mock.client().messages.stream(**ASK) as stream:
        message = stream.get_final_message()
    assert message.content[0].text == "slowly but surely"


def test_scripted_message_streams_and_agrees(mock):
    mock.reply_with(message={"content": [{"type": "text", "text": "Checking the weather."},
                                         {"type": "tool_use", "name": "get_weather", "input": {"city": "Paris"}}]})
    client = mock.client()
    plain = client.messages.create(**ASK)
    with client.messages.stream(**ASK) as stream:
        streamed = stream.get_final_message()
    assert plain.stop_reason == streamed.stop_reason == "tool_use"
    assert streamed.content[1].input == {"city": "Paris"}
    assert plain.model_dump() == streamed.model_dump()
    assert plain.content[1].id.startswith("toolu_")


def test_header_override_without_rules(server):
    client = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-test", max_retries=0)
    with pytest.raises(anthropic.RateLimitError) as raised:
        client.messages.create(**ASK, extra_headers={"x-mock-error": "rate_limit_error", "x-mock-retry-after": "7"})
    assert raised.value.response.headers["retry-after"] == "7"


def test_header_override_counts_sdk_attempts(server):
    client = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-test", max_retries=2)
    response = client.messages.with_raw_response.create(**ASK, extra_headers={
        "x-mock-error": "overloaded_error", "x-mock-error-count": "2", "x-mock-retry-after-ms": "10"})
    assert response.retries_taken == 2
    assert response.parse().content


def test_header_override_stream_fault(server):
    client = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-test", max_retries=0)
    with pytest.raises(anthropic.APIStatusError) as raised:
        with client.messages.stream(**ASK, extra_headers={"x-mock-fault": "error_after_events=2,error=api_error"}) \
                as stream:
            for _ in stream:
                pass
    assert raised.value.body["error"]["type"] == "api_error"


# anthropic 2.17 retries a plain reply cut mid-body as a connection error, unless the reply said
# `x-should-retry: false` (2.16 retried it either way): the counts say what the pinned SDK does.
@pytest.mark.parametrize(("should_retry", "attempts"), [(None, 3), (False, 1)])
def test_a_plain_reply_cut_mid_body_with_and_without_should_retry(mock, should_retry, attempts):
    fault = {"cut_after_bytes": 20, **({} if should_retry is None else {"should_retry": should_retry})}
    mock.add_rule(match={"operation": "messages_create"}, respond={"fault": fault})
    with pytest.raises(anthropic.APIConnectionError):
        mock.client(max_retries=2).messages.create(**ASK)
    assert [e["fault"] for e in mock.journal()] == ["cut_after_bytes"] * attempts


def test_should_retry_false_reaches_the_client_on_a_cut_plain_reply(mock):
    with httpx.stream("POST", mock.base_url + "/v1/messages", json=ASK,
                      headers={**mock.headers, "x-api-key": "k", "anthropic-version": "2023-06-01",
                               "x-mock-fault": "cut_after_bytes=20,should_retry=false"}) as response:
        assert response.status_code == 200 and response.headers["x-should-retry"] == "false"
        with pytest.raises(httpx.RemoteProtocolError):
            response.read()

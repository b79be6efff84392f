"""One error table, three renderings: the API envelope, the control API's envelope and an SSE
`error` event; stream faults and the control API's routing errors go through it too."""

from __future__ import annotations

import orjson

from mockserver.config import Config
from mockserver.faults import StreamFault
from mockserver.http.errors import ERROR_STATUS, STATUS_ERROR_TYPE, ApiError, unavailable
from mockserver.server import MockServer


def test_statuses_and_default_messages_come_from_the_table():
    for error_type, status in ERROR_STATUS.items():
        error = ApiError(error_type)
        assert error.status == status and error.message
        assert error.envelope("req_1") == {"type": "error", "request_id": "req_1",
                                           "error": {"type": error_type, "message": error.message}}


def test_request_too_large_is_bare_on_the_api_but_enveloped_on_the_control_api():
    error = ApiError("request_too_large", "too big")
    assert error.body("req_1") == {"error": {"type": "request_too_large", "message": "too big"}}
    assert error.envelope("req_1")["type"] == "error"


def test_sse_event_frames_the_error_as_the_api_does():
    event = ApiError("overloaded_error").sse_event()
    name, data = event.split(b"\n", 1)
    assert name == b"event: error" and data.startswith(b"data: ") and event.endswith(b"\n\n")
    assert orjson.loads(data[6:].strip()) == {"type": "error",
                                              "error": {"type": "overloaded_error", "message": "Overloaded"}}


def test_a_stream_fault_error_is_the_tables_sse_event():
    fault = StreamFault(error_after_events=1, error_type="api_error", error_message="boom")
    assert fault.error_event() == ApiError("api_error", "boom").sse_event()
    assert StreamFault(error_after_events=1, error_type="rate_limit_error").error_event() \
        == ApiError("rate_limit_error").sse_event()


def test_control_api_routing_errors_render_in_the_envelope_with_the_request_id():
    import httpx

    with MockServer(Config()) as server:
        response = httpx.patch(f"{server.base_url}/_mock/rules")
    body = response.json()
    assert response.status_code == 405 and body["type"] == "error"
    assert body["error"]["type"] == "invalid_request_error"
    assert body["request_id"] == response.headers["request-id"] and "allow" in response.headers


def test_a_503_is_an_api_error_that_says_when_to_retry():
    error = unavailable("the shared store is away")
    assert (error.status, error.error_type) == (503, "api_error")
    assert error.headers == {"retry-after": "1", "x-should-retry": "true"}
    assert error.envelope("req_1")["error"] == {"type": "api_error", "message": "the shared store is away"}
    assert STATUS_ERROR_TYPE[503] == "api_error"
    assert all(STATUS_ERROR_TYPE[status] == error_type for error_type, status in ERROR_STATUS.items())

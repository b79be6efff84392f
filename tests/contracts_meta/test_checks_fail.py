"""Every check of the contract suite fails when the mock is broken in the way it guards against, and
passes on the same request to the intact mock: the checks can fail."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.core.failures import FailureGroup

from mockserver import contract
from mockserver.app import create_app
from mockserver.config import Config

from contracts.support import without_lifespan

from .breakers import Exchange, breaking

KEY, VERSION = "sk-ant-api03-meta", "2026-10-21"
APP = without_lifespan(create_app(Config(seed=3)))
MESSAGE = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "Hello there"}]}
STREAM = {**MESSAGE, "stream": True}


def on(path: str, method: str = "GET", status: int | None = None):
    """Apply a breakage only to responses of one route (and status)."""
    def decorator(edit):
        def breakage(exchange: Exchange) -> None:
            if exchange.path.startswith(path) and exchange.method == method and status in (None, exchange.status):
                edit(exchange)
        breakage.__name__ = edit.__name__
        return breakage
    return decorator


@on("/v1/models/")
def wrong_field_type(ex):
    ex.edit_json(lambda body: body.update(created_at=1_700_000_000))


@on("/v1/models/")
def missing_request_id(ex):
    ex.drop_header("request-id")


@on("/v1/models/", status=404)
def request_id_differs(ex):
    ex.edit_json(lambda body: body.update(request_id="req_somebody_else"))


@on("/v1/models/", status=404)
def wrong_error_type(ex):
    ex.edit_json(lambda body: body["error"].update(type="invalid_request_error"))


@on("/v1/models/", status=404)
def bare_error(ex):
    ex.body = b'{"message": "not found"}'


@on("/v1/messages", "POST")
def stream_missing_message_stop(ex):
    if ex.is_stream:
        ex.edit_events(lambda events: events[:-1])


@on("/v1/messages", "POST")
def stream_index_out_of_order(ex):
    def shift(events):
        for _, data in events:
            if isinstance(data, dict) and "index" in data:
                data["index"] += 1
        return events
    if ex.is_stream:
        ex.edit_events(shift)


@on("/v1/messages", "POST")
def stream_without_event_lines(ex):
    if ex.is_stream:
        ex.edit_events(lambda events: [(None, data) for _, data in events])


@on("/v1/messages", "POST")
def stream_event_violates_schema(ex):
    def corrupt(events):
        return [(name, {**data, "usage": "lots"} if name == "message_delta" else data) for name, data in events]
    if ex.is_stream:
        ex.edit_events(corrupt)


@on("/v1/messages", "POST")
def stream_differs_from_json(ex):
    def edit(events):
        for name, data in events:
            if name == "content_block_delta" and data["delta"].get("type") == "text_delta":
                data["delta"]["text"] += " (streamed)"
                break
        return events
    if ex.is_stream:
        ex.edit_events(edit)


@on("/v1/messages/count_tokens", "POST")
def count_tokens_off_by_one(ex):
    ex.edit_json(lambda body: body.update(input_tokens=body["input_tokens"] + 1))


@on("/v1/models/")
def server_error(ex):
    ex.status = 500


@on("/v1/models/")
def undocumented_status(ex):
    ex.status = 418


@on("/v1/models/")
def wrong_content_type(ex):
    ex.set_header("content-type", "text/plain")


# (breakage, operation path, method, request, check expected to fail)
CASES = [
    (wrong_field_type, "/v1/models/{model_id}", "GET", {"path_parameters": {"model_id": "claude-sonnet-4-6"}},
     "response_schema_conformance"),
    (missing_request_id, "/v1/models/{model_id}", "GET", {"path_parameters": {"model_id": "claude-sonnet-4-6"}},
     "request_id_header"),
    (missing_request_id, "/v1/models/{model_id}", "GET", {"path_parameters": {"model_id": "nope"}}, "error_envelope"),
    (request_id_differs, "/v1/models/{model_id}", "GET", {"path_parameters": {"model_id": "nope"}}, "error_envelope"),
    (wrong_error_type, "/v1/models/{model_id}", "GET", {"path_parameters": {"model_id": "nope"}}, "error_envelope"),
    (bare_error, "/v1/models/{model_id}", "GET", {"path_parameters": {"model_id": "nope"}}, "error_envelope"),
    (stream_missing_message_stop, "/v1/messages", "POST", {"body": STREAM}, "sse_grammar"),
    (stream_index_out_of_order, "/v1/messages", "POST", {"body": STREAM}, "sse_grammar"),
    (stream_without_event_lines, "/v1/messages", "POST", {"body": STREAM}, "sse_grammar"),
    (stream_event_violates_schema, "/v1/messages", "POST", {"body": STREAM}, "response_schema_conformance"),
    (stream_differs_from_json, "/v1/messages", "POST", {"body": MESSAGE}, "stream_matches_message"),
    (stream_missing_message_stop, "/v1/messages", "POST", {"body": MESSAGE}, "stream_matches_message"),
    (count_tokens_off_by_one, "/v1/messages", "POST", {"body": MESSAGE}, "count_tokens_matches_usage"),
    (server_error, "/v1/models/{model_id}", "GET", {"path_parameters": {"model_id": "nope"}}, "not_a_server_error"),
    (undocumented_status, "/v1/models/{model_id}", "GET", {"path_parameters": {"model_id": "nope"}},
     "status_code_conformance"),
    (wrong_content_type, "/v1/models/{model_id}", "GET", {"path_parameters": {"model_id": "claude-sonnet-4-6"}},
     "content_type_conformance"),
]


def failures(app: Any, path: str, method: str, request: dict[str, Any]) -> dict[str, str]:
    """Check name -> failure message, for one request through every check of the suite."""
    schema = contract.load_schema(app=app)
    operation = schema[path][method]
    body = {"body": request["body"], "media_type": "application/json"} if "body" in request else {}
    case = operation.Case(path_parameters=request.get("path_parameters"),
                          headers={"x-api-key": KEY, "anthropic-version": VERSION}, **body)
    response = case.call()
    found = {}
    for check in contract.contract_checks():
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            found[contract.check_name(check)] = "; ".join(f.message for f in group.exceptions)
    return found


@pytest.mark.parametrize(("breakage", "path", "method", "request_", "check"), CASES,
                         ids=[f"{c[0].__name__}->{c[4]}" for c in CASES])
def test_the_matching_check_fails(breakage, path, method, request_, check):
    app = APP
    assert check not in failures(app, path, method, request_), "the intact mock must pass"
    broken = failures(breaking(app, breakage), path, method, request_)
    assert check in broken, f"{check} did not notice {breakage.__name__}; failures: {broken}"


def test_negative_data_rejection_fails_when_invalid_requests_are_accepted():
    def accept_everything(ex: Exchange) -> None:
        if ex.path == "/v1/models" and ex.status == 400:
            ex.status, ex.body = 200, b'{"data": [], "has_more": false, "first_id": null, "last_id": null}'

    failed = run_operation(breaking(APP, accept_everything), "models_list")
    assert "negative_data_rejection" in failed
    assert "negative_data_rejection" not in run_operation(APP, "models_list")


def test_deleted_object_is_gone_fails_when_a_deleted_file_is_still_served():
    served: dict[str, bytes] = {}

    def remember_files(ex: Exchange) -> None:
        if ex.method == "GET" and ex.path.startswith("/v1/files/file_") and ex.path.count("/") == 3:
            if ex.status == 200:
                served[ex.path] = ex.body
            elif ex.path in served:
                ex.status, ex.body = 200, served[ex.path]

    failed = run_operation(breaking(APP, remember_files), "files_upload", walks=True)
    assert "deleted_object_is_gone" in failed
    assert "deleted_object_is_gone" not in run_operation(APP, "files_upload", walks=True)


def run_operation(app: Any, operation_id: str, walks: bool = False) -> set[str]:
    """The names of the checks that failed in a small run of the contract runner on one operation."""
    options = contract.Options(examples=8, only=(operation_id,), walks=walks, include_costly=True)
    report = contract.run_contract(contract.load_schema(app=app), options)
    return {f.check for f in report.failures}

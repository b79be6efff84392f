"""The checks: schemathesis check functions `(ctx, response, case)`, each verifying one property.

schemathesis's built-ins cover server errors, status codes, content types and headers, and negative
data; ours cover the error envelope, request ids, schemas of streamed and JSON Lines bodies, the
stream grammar, and (on a deterministic server) that streamed and plain replies and count_tokens agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

from ..http.errors import STATUS_ERROR_TYPE
from .spec import beta_variant, media_object, operation_id, resolve_ref, schema_errors
from .sse import STREAM_GRAMMARS, SseEvent, accumulate_message, message_stream_problems, parse_sse, payload_of

Check = Callable[[Any, Any, Any], "bool | None"]  # (CheckContext, Response, Case)

BUILTIN_CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
                  "response_headers_conformance", "negative_data_rejection")
INPUT_USAGE = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
ERROR_TYPES = STATUS_ERROR_TYPE  # the envelope's type for each status


def _header(response: Any, name: str) -> str | None:
    values = response.headers.get(name)
    return values[0] if values else None


def _media_type(response: Any) -> str:
    return (_header(response, "content-type") or "").split(";")[0].strip().lower()


def request_id_header(ctx: Any, response: Any, case: Any) -> None:
    """Every API response carries a request-id header (req_...)."""
    request_id = _header(response, "request-id")
    assert request_id, "the response has no request-id header"
    assert request_id.startswith("req_"), f"request-id {request_id!r} does not start with req_"


def error_envelope(ctx: Any, response: Any, case: Any) -> None:
    """Errors come in the API's envelope, with request_id equal to the request-id header.

    {type:"error", error:{type,message}, request_id}, the error type matching the status; 413 in the
    edge's shape {error:{type:"request_too_large",...}}; the OpenAI-compatible route in OpenAI's shape."""
    if response.status_code < 400:
        return
    try:
        body = json.loads(response.content)
    except ValueError:
        raise AssertionError(f"the {response.status_code} body is not JSON: {response.content[:200]!r}") from None
    assert isinstance(body, dict) and isinstance(body.get("error"), dict), f"no `error` object in {body!r:.300}"
    error = body["error"]
    assert isinstance(error.get("type"), str) and error["type"], f"error.type missing in {body!r:.300}"
    assert isinstance(error.get("message"), str), f"error.message missing in {body!r:.300}"
    if case.operation.definition.raw.get("x-mock-error-style") == "openai":
        return
    expected_type = ERROR_TYPES.get(response.status_code)
    if expected_type:
        assert error["type"] == expected_type, \
            f"status {response.status_code} carries error type {error['type']!r}, expected {expected_type!r}"
    if response.status_code == 413:
        return
    assert body.get("type") == "error", f"top-level type is {body.get('type')!r}, expected 'error'"
    header = _header(response, "request-id")
    assert body.get("request_id") == header, \
        f"request_id in the body ({body.get('request_id')!r}) differs from the request-id header ({header!r})"


def response_schema_conformance(ctx: Any, response: Any, case: Any) -> None:
    """The body conforms to the documented schema.

    JSON as a whole (in its beta shape when the request enabled one), JSON Lines line by line, and
    server-sent events payload by payload (the spec documents the schema of one event's data)."""
    media_type = _media_type(response)
    media = media_object(case.operation, response.status_code, media_type)
    schema, variant = media.get("schema"), beta_variant(media, response.request.headers)
    if media_type == "text/event-stream" and schema is not None:
        _check_payloads(case, schema, [(f"event #{i} ({e.name})", e) for i, e in
                                       enumerate(parse_sse(response.content).events) if e.data != "[DONE]"])
    elif media_type == "application/x-jsonl" and schema is not None:
        lines = [SseEvent(None, line) for line in response.content.decode("utf-8").splitlines() if line.strip()]
        _check_payloads(case, schema, [(f"line {i + 1}", line) for i, line in enumerate(lines)])
    elif variant is not None:
        _check_payloads(case, variant, [("the body", SseEvent(None, response.content.decode("utf-8")))])
    else:
        from schemathesis.specs.openapi.checks import response_schema_conformance as builtin

        builtin(ctx, response, case)


def _check_payloads(case: Any, schema: dict[str, Any], items: list[tuple[str, SseEvent]]) -> None:
    spec = case.operation.schema.raw_schema
    for where, item in items:
        payload = payload_of(item)
        assert payload is not None, f"{where}: data is not JSON: {item.data[:200]!r}"
        errors = schema_errors(spec, schema, payload)
        assert not errors, f"{where} violates the schema: " + "; ".join(errors)


def sse_grammar(ctx: Any, response: Any, case: Any) -> None:
    """Streams follow their event grammar and end with a complete event.

    The grammars: message_stream_problems, completion_stream_problems, chat_stream_problems."""
    grammar = STREAM_GRAMMARS.get(operation_id(case.operation))
    if _media_type(response) != "text/event-stream" or grammar is None:
        return
    stream = parse_sse(response.content)
    problems = grammar(stream.events)
    if stream.unterminated:
        problems.append(f"the stream ends inside an event: {stream.unterminated[:120]!r}")
    assert not problems, "; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else "")


@dataclass(slots=True)
class Budget:
    """A cap on the requests a run may send; `None` means no cap."""

    limit: int | None = None
    used: int = 0

    def allows(self, count: int = 1) -> bool:
        return self.limit is None or self.used + count <= self.limit

    def spend(self, count: int = 1) -> None:
        self.used += count


def pair_checks(budget: Budget | None = None) -> list[Check]:
    """Checks that send a second request: they hold on a deterministic server (this mock) only."""
    budget = budget or Budget()

    def stream_matches_message(ctx: Any, response: Any, case: Any) -> None:
        """The same request with stream=true accumulates to the JSON message."""
        if not _is_json_message(case, response) or not budget.allows():
            return
        budget.spend()
        streamed = _replay(case, {**case.body, "stream": True})
        assert streamed.status_code == 200, f"the streamed twin got {streamed.status_code}: {streamed.content[:300]!r}"
        stream = parse_sse(streamed.content)
        problems = message_stream_problems(stream.events)
        assert not problems, f"the streamed twin breaks the grammar: {problems[0]}"
        accumulated = without_nulls(accumulate_message(stream.events))
        difference = first_difference(without_nulls(response.json()), accumulated)
        assert difference is None, f"the accumulated stream (actual) differs from the JSON message at {difference}"

    def count_tokens_matches_usage(ctx: Any, response: Any, case: Any) -> None:
        """count_tokens on the same input equals the message's input usage (cache reads and writes included)."""
        if not _is_json_message(case, response) or not budget.allows():
            return
        budget.spend()
        counted = _count_tokens(case)
        assert counted.status_code == 200, \
            f"count_tokens rejected the input messages_create accepted: {counted.status_code} {counted.content[:300]!r}"
        usage = response.json()["usage"]
        total = sum(usage.get(key) or 0 for key in INPUT_USAGE)
        assert counted.json()["input_tokens"] == total, \
            f"count_tokens says {counted.json()['input_tokens']}, the message's usage says {total} ({usage})"

    return [stream_matches_message, count_tokens_matches_usage]


def _is_json_message(case: Any, response: Any) -> bool:
    return (operation_id(case.operation) == "messages_create" and response.status_code == 200
            and _media_type(response) == "application/json" and isinstance(case.body, dict))


def _replay(case: Any, body: dict[str, Any]) -> Any:
    twin = case.operation.Case(path_parameters=case.path_parameters, headers=_plain_headers(case),
                               query=case.query, body=body, media_type="application/json")
    return twin.call()


def _count_tokens(case: Any) -> Any:
    schema = case.operation.schema
    operation = schema["/v1/messages/count_tokens"]["POST"]
    body = resolve_ref(schema.raw_schema, operation.definition.raw["requestBody"])["content"]["application/json"]
    properties = resolve_ref(schema.raw_schema, body["schema"]).get("properties", {})
    body = {k: v for k, v in case.body.items() if k in properties}
    return operation.Case(headers=_plain_headers(case), body=body, media_type="application/json").call()


def _plain_headers(case: Any) -> dict[str, Any]:
    return {k: v for k, v in (case.headers or {}).items() if not k.lower().startswith("x-schemathesis")}


def without_nulls(value: Any) -> Any:
    """`value` without null members: JSON clients read an absent optional field and a null alike."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value


def first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """Where two JSON values first differ, e.g. `content[0].text: 'Hi' != 'Hi!'`; None if equal."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in actual or key not in expected:
                side = "actual" if key not in actual else "expected"
                return f"{path}.{key} (missing in {side})".lstrip(".")
            found = first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{path or '(root)'}: {len(expected)} items != {len(actual)} items"
        for i, (a, b) in enumerate(zip(expected, actual)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if expected == actual else f"{path.lstrip('.') or '(root)'}: {expected!r:.80} != {actual!r:.80}"


OWN_CHECKS: tuple[Check, ...] = (request_id_header, error_envelope, response_schema_conformance, sse_grammar)


def contract_checks(*, pairs: bool = True, budget: Budget | None = None) -> list[Check]:
    """Every check of the suite: schemathesis's built-ins, ours, and (on a deterministic server) the pairs."""
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    builtins = [CHECKS.get_one(name) for name in BUILTIN_CHECKS]
    return [*builtins, *OWN_CHECKS, *(pair_checks(budget) if pairs else [])]


def check_name(check: Check) -> str:
    return getattr(check, "__name__", type(check).__name__)

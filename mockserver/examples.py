"""Stateless answers: the spec's example for an operation, with the caller's ids put back in.

This is how every operation answers in `--stateless` mode (any id exists), and how operations
without a handler of their own answer in the default mode.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import orjson

from .call import Call
from .http.replies import BytesReply, JsonReply, Reply

_JSON_TYPES = ("application/json",)
# Operations whose reply names the model the request asked for (the example's model otherwise).
_ECHOES_MODEL = frozenset({"messages_create"})
_STREAM_MODEL = re.compile(r'"model":"(?:[^"\\]|\\.)*"')


def example_reply(call: Call) -> Reply:
    content = call.operation.responses.get("200", {}).get("content", {})
    wants_stream = isinstance(call.body, dict) and call.body.get("stream") is True
    if wants_stream and "text/event-stream" in content:
        stream = _with_request_model_in_stream(_text(content["text/event-stream"]), call)
        return BytesReply(stream.encode(), "text/event-stream; charset=utf-8")
    for media_type, media in content.items():
        if media_type in _JSON_TYPES:
            media = _beta_variant(media, call) or _query_variant(media, call) or media
            body = _with_caller_ids(copy.deepcopy(_example(media)), call)
            return JsonReply(_with_request_model(body, call))
    if list(content) == ["text/event-stream"]:  # a stream-only route (a session's event stream)
        return BytesReply(_text(content["text/event-stream"]).encode(), "text/event-stream; charset=utf-8")
    for media_type, media in content.items():
        if media_type != "text/event-stream":
            example = _example(media)
            data = example if isinstance(example, (str, bytes)) else orjson.dumps(example)
            return BytesReply(data.encode() if isinstance(data, str) else data, media_type)
    return JsonReply({})


def _beta_variant(media: dict[str, Any], call: Call) -> dict[str, Any] | None:
    """Some betas change a response's shape (`x-mock-beta-responses`): answer in that shape."""
    beta = call.shape_beta
    return media["x-mock-beta-responses"][beta] if beta else None


def _query_variant(media: dict[str, Any], call: Call) -> dict[str, Any] | None:
    """A query flag may select another shape of one route (`x-mock-query-responses`, e.g. `bedrock=true`)."""
    for condition, variant in (media.get("x-mock-query-responses") or {}).items():
        name, _, value = condition.partition("=")
        if str(call.query.get(name, "")).lower() == value:
            return variant
    return None


def _example(media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    examples = media.get("examples") or {}
    first = next(iter(examples.values()), {})
    return first.get("value", {})


def _text(media: dict[str, Any]) -> str:
    example = _example(media)
    return example if isinstance(example, str) else orjson.dumps(example).decode()


def _with_caller_ids(body: Any, call: Call) -> Any:
    """Echo path ids into the example (GET /v1/files/file_x answers with id file_x), and point
    URLs at the host the client used, so that following them (a batch's results_url) works."""
    if not isinstance(body, dict):
        return body
    _rebase_urls(body, call.state.spec["servers"][0]["url"], call.base_url)
    if not call.path_params:
        return body
    for name, value in call.path_params.items():
        if isinstance(body.get(name), str):  # an id field; a path segment never replaces an object
            body[name] = value
    last_name, last_value = list(call.path_params.items())[-1]
    if "id" in body and last_name.endswith("_id"):
        body["id"] = last_value
    return body


def _rebase_urls(node: Any, spec_server: str, base_url: str) -> None:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if isinstance(value, str) and value.startswith(spec_server):
            node[key] = base_url + value[len(spec_server):]
        elif isinstance(value, (dict, list)):
            _rebase_urls(value, spec_server, base_url)


def _request_model(call: Call) -> str | None:
    if call.operation_id not in _ECHOES_MODEL or not isinstance(call.body, dict):
        return None
    model = call.body.get("model")
    return model if isinstance(model, str) else None


def _with_request_model(body: Any, call: Call) -> Any:
    model = _request_model(call)
    if model is not None and isinstance(body, dict) and "model" in body:
        body["model"] = model
    return body


def _with_request_model_in_stream(stream: str, call: Call) -> str:
    """The example stream with its message_start naming the request's model."""
    model = _request_model(call)
    if model is None:
        return stream
    encoded = orjson.dumps(model).decode()
    return _STREAM_MODEL.sub(lambda _: f'"model":{encoded}', stream, count=1)

"""Shared helpers for the cooperation tests: a running mock, the official SDK, JSON and streamed."""

from __future__ import annotations

from typing import Any

import anthropic

from mockserver.server import MockServer

from ..helpers import KEY

MODEL = "claude-sonnet-4-6"
CLOCK_FIELDS = frozenset({"retrieved_at", "expires_at"})
WEATHER = {"name": "get_forecast", "description": "Weather forecast for a location",
           "input_schema": {"type": "object", "properties": {
               "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
               "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
               "days": {"type": "integer", "minimum": 1, "maximum": 14, "description": "How many days ahead"},
               "include_hourly": {"type": "boolean"}},
               "required": ["location"]}}
EMAIL = {"name": "send_email", "description": "Send an email message",
         "input_schema": {"type": "object", "properties": {
             "to": {"type": "string", "format": "email", "description": "Recipient address"},
             "subject": {"type": "string"}, "body": {"type": "string", "description": "Message text"},
             "send_at": {"type": "string", "format": "date"}, "link": {"type": "string", "format": "uri"}},
             "required": ["to", "body"]}}


def sdk(server: MockServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0, _strict_response_validation=True)


def both(client: anthropic.Anthropic, beta: bool = False, **request: Any) -> dict[str, Any]:
    """The JSON reply as a dict, after checking that the stream accumulates to the same message."""
    request.setdefault("model", MODEL)
    request.setdefault("max_tokens", 2048)
    api = client.beta.messages if beta else client.messages
    plain = api.create(**request)
    with api.stream(**request) as stream:
        streamed = stream.get_final_message()
    assert timeless(streamed.model_dump()) == timeless(plain.model_dump())
    return plain.model_dump(exclude_none=False)


def timeless(value: Any) -> Any:
    """Without the stamps that follow the clock (a fetch's time, a container's expiry)."""
    if isinstance(value, list):
        return [timeless(v) for v in value]
    if not isinstance(value, dict):
        return value
    return {k: timeless(v) for k, v in value.items() if k not in CLOCK_FIELDS}


def kinds(message: dict[str, Any]) -> list[str]:
    return [b["type"] for b in message["content"]]


def calls(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in message["content"] if b["type"] == "tool_use"]


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def results(message: dict[str, Any], *contents: str, is_error: bool = False) -> list[dict[str, Any]]:
    """The assistant turn of `message` and a user turn answering each of its calls."""
    answered = [{"type": "tool_result", "tool_use_id": c["id"], "content": text, "is_error": is_error}
                for c, text in zip(calls(message), contents)]
    return [{"role": "assistant", "content": _param(message["content"])}, {"role": "user", "content": answered}]


def _param(content: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("type", "text", "id", "name", "input", "tool_use_id", "content")
    return [{k: v for k, v in b.items() if k in keep} for b in content]

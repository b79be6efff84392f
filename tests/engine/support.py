"""Shared helpers for the engine tests: contexts, SDK validation, stream accumulation, strategies."""

from __future__ import annotations

import base64
import random
import string
from datetime import datetime, timezone
from typing import Any

import httpx2
import jsonschema
from anthropic.lib.streaming._beta_messages import accumulate_event as accumulate_beta_event
from anthropic.lib.streaming._messages import accumulate_event
from anthropic.types import Message
from anthropic.types.beta import BetaMessage
from hypothesis import strategies as st

from mockserver.engine import EngineContext, message_events

NOW = 1_780_000_000.0
FORMAT_CHECKER = jsonschema.Draft202012Validator.FORMAT_CHECKER


def ctx(seed: int = 1, **kwargs: Any) -> EngineContext:
    return EngineContext(rng=random.Random(seed), now=kwargs.pop("now", NOW), **kwargs)


def validate_message(message: dict[str, Any]) -> None:
    BetaMessage.model_validate(message)
    Message.model_validate(message)


def accumulate(message: dict[str, Any], beta: bool = False) -> dict[str, Any]:
    snapshot = None
    buffers: dict[int, bytes] = {}
    for name, event in message_events(message):
        assert event["type"] == name
        if name == "ping":
            continue
        if beta:
            snapshot = accumulate_beta_event(event=event, current_snapshot=snapshot, json_bufs=buffers,
                                             request_headers=httpx2.Headers())
        else:
            snapshot = accumulate_event(event=event, current_snapshot=snapshot, json_bufs=buffers)
    assert snapshot is not None
    return _plain(snapshot.to_dict())


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def validates(instance: Any, schema: Any) -> bool:
    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=FORMAT_CHECKER)
    return validator.is_valid(instance)


# -- strategies ---------------------------------------------------------------------------------

WORDS = ("weather", "stock", "price", "city", "order", "status", "email", "calendar", "note", "ticket",
         "search", "latest", "calculate", "python", "hello", "please", "explain", "END", "STOP", "###")
NAME_PARTS = ("get", "weather", "stock", "price", "order", "status", "send", "email", "calendar", "note", "lookup")
MODELS = ("claude-haiku-4-5", "claude-opus-4-6", "claude-opus-4-7", "claude-haiku-4-5-20251001", "claude-fable-5",
          "claude-sonnet-4-20250514")

texts = st.lists(st.sampled_from(WORDS) | st.text(string.ascii_letters + " .,!?'\n", min_size=1, max_size=30),
                 min_size=1, max_size=12).map(" ".join)


def leaf_schemas() -> st.SearchStrategy[dict[str, Any]]:
    strings = st.builds(_string_schema, st.integers(0, 8), st.integers(0, 30),
                        st.sampled_from([None, "date-time", "date", "email", "uri", "uuid", "ipv4"]),
                        st.sampled_from([None, r"^[A-Z]{2}-\d{2,4}$", r"^[a-z]+(_[a-z]+)*$"]))
    numbers = st.builds(_number_schema, st.sampled_from(["integer", "number"]), st.integers(-50, 50),
                        st.integers(0, 100), st.booleans(), st.booleans(), st.sampled_from([None, 2, 5]))
    enums = st.lists(st.text(string.ascii_lowercase, min_size=1, max_size=6), min_size=1, max_size=4,
                     unique=True).map(lambda v: {"enum": v})
    consts = st.sampled_from([{"const": "fixed"}, {"const": 3}, {"type": "boolean"}, {"type": "null"}])
    return strings | numbers | enums | consts


def _string_schema(low: int, span: int, fmt: str | None, pattern: str | None) -> dict[str, Any]:
    if fmt:
        return {"type": "string", "format": fmt}
    if pattern:
        return {"type": "string", "pattern": pattern}
    return {"type": "string", "minLength": low, "maxLength": low + span}


def _number_schema(kind: str, low: int, span: int, ex_low: bool, ex_high: bool, step: int | None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": kind}
    if step:
        return {**schema, "minimum": low, "maximum": low + span + step, "multipleOf": step}
    schema["exclusiveMinimum" if ex_low else "minimum"] = low
    schema["exclusiveMaximum" if ex_high else "maximum"] = low + span + 2
    return schema


def schemas(max_leaves: int = 12) -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(leaf_schemas(), _extend, max_leaves=max_leaves)


def _extend(children: st.SearchStrategy[dict[str, Any]]) -> st.SearchStrategy[dict[str, Any]]:
    objects = st.builds(_object_schema, st.dictionaries(st.sampled_from(["city", "name", "query", "count", "when",
                                                                          "items", "id", "note", "email", "flag"]),
                                                         children, max_size=5), st.data())
    arrays = st.builds(_array_schema, children, st.integers(0, 2), st.integers(0, 3))
    unions = st.lists(children, min_size=1, max_size=3).map(lambda bs: {"anyOf": bs})
    exclusive = st.just({"oneOf": [{"type": "string", "maxLength": 5}, {"type": "integer"},
                                   {"type": "object", "properties": {"x": {"type": "boolean"}}, "required": ["x"]}]})
    nullable = children.map(lambda s: {"anyOf": [s, {"type": "null"}]})
    return objects | arrays | unions | exclusive | nullable


def _object_schema(props: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    required = data.draw(st.lists(st.sampled_from(sorted(props)), unique=True)) if props else []
    strict = data.draw(st.booleans())
    schema: dict[str, Any] = {"type": "object", "properties": props, "required": required}
    if strict:
        schema["additionalProperties"] = False
    return schema


def _array_schema(items: dict[str, Any], low: int, span: int) -> dict[str, Any]:
    return {"type": "array", "items": items, "minItems": low, "maxItems": low + span}


def tool_schemas() -> st.SearchStrategy[dict[str, Any]]:
    defs = {"$defs": {"address": {"type": "object", "properties": {"street": {"type": "string"},
                                                                    "zip": {"type": "string", "pattern": r"^\d{5}$"}},
                                  "required": ["street"]}}}
    with_ref = st.just({"type": "object", "properties": {"home": {"$ref": "#/$defs/address"}}, "required": ["home"],
                        **defs})
    return st.builds(_object_schema, st.dictionaries(st.sampled_from(["location", "query", "count", "when", "tags",
                                                                       "unit", "email", "limit", "options"]),
                                                      schemas(6), max_size=4), st.data()) | with_ref


def tool_names() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=3, unique=True).map("_".join)


@st.composite
def message_requests(draw: st.DrawFn) -> dict[str, Any]:
    model = draw(st.sampled_from(MODELS))
    names = draw(st.lists(tool_names(), max_size=3, unique=True))
    tools = [{"name": n, "description": draw(texts), "input_schema": draw(tool_schemas())} for n in names]
    if tools and draw(st.booleans()):
        tools[0]["strict"] = True
    request: dict[str, Any] = {"model": model, "max_tokens": draw(st.integers(0, 600)),
                               "messages": draw(_conversations(tools))}
    if tools:
        request["tools"] = tools
        request["tool_choice"] = draw(_tool_choices(names))
    if draw(st.booleans()):
        request["system"] = draw(texts)
    if draw(st.booleans()):
        request["stop_sequences"] = draw(st.lists(st.sampled_from(["END", "STOP", "###", "\n\n", "the"]),
                                                  min_size=1, max_size=3, unique=True))
    _maybe_thinking(draw, request)
    if draw(st.integers(0, 2)) == 0:
        _add_features(draw, request)
    return request


SERVER_TOOLS = (
    ({"type": "web_search_20250305", "name": "web_search"}, "search the latest news"),
    ({"type": "web_fetch_20250910", "name": "web_fetch"}, "read https://example.com/page"),
    ({"type": "code_execution_20250522", "name": "code_execution"}, "calculate 3 + 4"),
    ({"type": "code_execution_20250825", "name": "code_execution"}, "run python on 2 5 9"),
    ({"type": "code_execution_20260120", "name": "code_execution"}, "compute 1.5 and 2"),
    ({"type": "tool_search_tool_regex_20251119", "name": "tool_search_tool_regex"}, ""),
)
PDF = base64.b64encode(b"%PDF-1.4 1 0 obj << /Type /Page >> endobj").decode()
DOCUMENTS = (
    {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "Cats purr. Dogs bark."},
     "title": "Pets", "citations": {"enabled": True}},
    {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "Block one."}]},
     "citations": {"enabled": True}},
    {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": PDF},
     "citations": {"enabled": True}},
    {"type": "search_result", "source": "https://example.com", "title": "Result",
     "content": [{"type": "text", "text": "Search result text."}], "citations": {"enabled": True}},
    {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
)


def _add_features(draw: st.DrawFn, request: dict[str, Any]) -> None:
    """Server tools, programmatic calling, documents, caching and other 2026 fields."""
    chosen = draw(st.lists(st.sampled_from(range(len(SERVER_TOOLS))), max_size=2, unique=True))
    tools = request.setdefault("tools", [])
    for i in chosen:
        tool, trigger = SERVER_TOOLS[i]
        tools.append(dict(tool))
        _append_text(request["messages"][-1], trigger)
    clients = [t for t in tools if "input_schema" in t]
    runner = next((t["type"] for t in tools if t.get("type") in ("code_execution_20250825",
                                                                   "code_execution_20260120")), None)
    if clients and runner and draw(st.booleans()):
        clients[0]["allowed_callers"] = [runner]
    if clients and any(t.get("type", "").startswith("tool_search") for t in tools) and draw(st.booleans()):
        clients[-1]["defer_loading"] = True
    if not tools:
        del request["tools"]
    first = request["messages"][0]
    documents = draw(st.lists(st.sampled_from(DOCUMENTS), max_size=2))
    if documents:
        content = first["content"]
        first["content"] = list(documents) + ([{"type": "text", "text": content}] if isinstance(content, str) else content)
    if draw(st.booleans()):
        request["cache_control"] = {"type": "ephemeral", "ttl": draw(st.sampled_from(["5m", "1h"]))}
    if draw(st.booleans()):
        request["system"] = [{"type": "text", "text": "Be helpful. " * draw(st.integers(1, 600)),
                              "cache_control": {"type": "ephemeral"}}]
    if draw(st.booleans()):
        request["inference_geo"] = draw(st.sampled_from(["us", "global"]))


def _append_text(message: dict[str, Any], text: str) -> None:
    if not text:
        return
    if isinstance(message["content"], str):
        message["content"] += " " + text
    else:
        message["content"].append({"type": "text", "text": text})


def _maybe_thinking(draw: st.DrawFn, request: dict[str, Any]) -> None:
    from mockserver.catalog import builtin_catalog

    entry = builtin_catalog().resolve(request["model"])
    forced = (request.get("tool_choice") or {}).get("type") in ("any", "tool")
    if forced or not draw(st.booleans()):
        return
    if "enabled" in entry.thinking:
        budget = draw(st.integers(1024, 1500))
        request["max_tokens"] = budget + draw(st.integers(1, 800))
        request["thinking"] = {"type": "enabled", "budget_tokens": budget}
    elif "adaptive" in entry.thinking:
        request["thinking"] = {"type": "adaptive"}
    if request.get("thinking") and draw(st.booleans()):
        request["thinking"]["display"] = "omitted"


def _tool_choices(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    simple = st.sampled_from([{"type": "auto"}, {"type": "any"}, {"type": "none"}])
    named = st.sampled_from(names).map(lambda n: {"type": "tool", "name": n})
    return st.builds(lambda c, p: {**c, "disable_parallel_tool_use": True} if p and c["type"] != "none" else c,
                     simple | named, st.booleans())


@st.composite
def _conversations(draw: st.DrawFn, tools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    def user_text() -> str:
        text = draw(texts)
        if tools and draw(st.booleans()):
            text += " " + draw(st.sampled_from(tools))["name"].replace("_", " ")
        return text

    messages: list[dict[str, Any]] = [{"role": "user", "content": user_text()}]
    for turn in range(draw(st.integers(0, 2))):
        if tools and draw(st.booleans()):
            ids = [f"toolu_test{turn}{i}" for i in range(draw(st.integers(1, 2)))]
            calls = [{"type": "tool_use", "id": i, "name": draw(st.sampled_from(tools))["name"], "input": {}} for i in ids]
            messages.append({"role": "assistant", "content": [{"type": "text", "text": draw(texts)}, *calls]})
            results = [{"type": "tool_result", "tool_use_id": i, "content": draw(texts)} for i in ids]
            messages.append({"role": "user", "content": results})
        else:
            messages.append({"role": "assistant", "content": draw(texts).strip() or "ok"})
            messages.append({"role": "user", "content": [{"type": "text", "text": user_text()}]})
    return messages

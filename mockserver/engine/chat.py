"""POST /v1/chat/completions, the OpenAI-compatible endpoint, built on create_message.

The OpenAI request becomes a Messages request (system and developer messages hoisted and
joined by newlines, tool calls and tool messages mapped to tool_use / tool_result blocks,
ignored fields dropped), create_message answers it, and the Message is mapped back:
end_turn and stop_sequence finish as "stop", max_tokens as "length", tool_use as "tool_calls".
"""

from __future__ import annotations

import json
from typing import Any

from ..http.errors import invalid_request
from . import checks, tokenizer
from .context import EngineContext
from .messages import create_message

DEFAULT_MAX_TOKENS = 4096
FINISH = {"end_turn": "stop", "stop_sequence": "stop", "max_tokens": "length", "tool_use": "tool_calls",
          "pause_turn": "stop", "refusal": "content_filter", "model_context_window_exceeded": "length"}
TEXT_PIECES = 4
ARGUMENT_CHUNK = 24


def chat_completion(request: dict[str, Any], ctx: EngineContext) -> dict[str, Any]:
    message = create_message(to_messages_request(request, ctx), ctx)
    text = "".join(b["text"] for b in message["content"] if b["type"] == "text")
    calls = [{"id": b["id"], "type": "function",
              "function": {"name": b["name"], "arguments": json.dumps(b["input"], ensure_ascii=False)}}
             for b in message["content"] if b["type"] == "tool_use"]
    reply: dict[str, Any] = {"role": "assistant", "content": text or (None if calls else ""), "refusal": None}
    if calls:
        reply["tool_calls"] = calls
    usage = message["usage"]
    prompt = usage["input_tokens"] + usage["cache_creation_input_tokens"] + usage["cache_read_input_tokens"]
    return {
        "id": message["id"],
        "object": "chat.completion",
        "created": int(ctx.now),
        "model": message["model"],
        "choices": [{"index": 0, "message": reply, "finish_reason": FINISH.get(message["stop_reason"], "stop"),
                     "logprobs": None}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": usage["output_tokens"],
                  "total_tokens": prompt + usage["output_tokens"]},
    }


def to_messages_request(request: dict[str, Any], ctx: EngineContext) -> dict[str, Any]:
    if request.get("n") not in (None, 1):
        raise invalid_request("n: only n=1 is supported")
    entry = checks.resolve_model(request.get("model"), ctx.catalog)
    system, messages = _messages(request.get("messages") or [])
    default = min(DEFAULT_MAX_TOKENS, entry.max_tokens)
    limit = request.get("max_completion_tokens") or request.get("max_tokens") or default
    out: dict[str, Any] = {"model": request.get("model"), "max_tokens": limit, "messages": messages}
    if system:
        out["system"] = system
    stop = request.get("stop")
    stops = [stop] if isinstance(stop, str) else list(stop or [])
    if [s for s in stops if s.strip()]:
        out["stop_sequences"] = [s for s in stops if s.strip()]
    tools = _tools(request)
    if tools:
        out["tools"] = tools
        out["tool_choice"] = _tool_choice(request)
    if isinstance(request.get("thinking"), dict):
        out["thinking"] = request["thinking"]
    return out


def _messages(items: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    system: list[str] = []
    turns: list[dict[str, Any]] = []
    for item in items:
        role = item.get("role")
        if role in ("system", "developer"):
            system.append(_text(item.get("content")))
            continue
        role, content = _convert(item)
        if not content:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"] += content
        else:
            turns.append({"role": role, "content": content})
    return "\n".join(s for s in system if s), turns


def _convert(item: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    role = item.get("role")
    if role == "tool":
        return "user", [{"type": "tool_result", "tool_use_id": item.get("tool_call_id", ""),
                         "content": _text(item.get("content"))}]
    if role == "function":
        name = item.get("name", "function")
        return "user", [{"type": "text", "text": f"{name} returned: {_text(item.get('content'))}"}]
    if role == "assistant":
        content = [{"type": "text", "text": t} for t in [_text(item.get("content"))] if t]
        for call in item.get("tool_calls") or ():
            function = call.get("function") or {}
            content.append({"type": "tool_use", "id": call.get("id", ""), "name": function.get("name", ""),
                            "input": _arguments(function.get("arguments"))})
        return "assistant", content
    return "user", _user_content(item.get("content"))


def _user_content(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    out: list[dict[str, Any]] = []
    for part in content or ():
        if part.get("type") == "text" and part.get("text"):
            out.append({"type": "text", "text": part["text"]})
        elif part.get("type") == "image_url":
            out.append({"type": "image", "source": _image_source((part.get("image_url") or {}).get("url", ""))})
    return out


def _image_source(url: str) -> dict[str, Any]:
    if url.startswith("data:") and ";base64," in url:
        media_type, data = url[5:].split(";base64,", 1)
        return {"type": "base64", "media_type": media_type, "data": data}
    return {"type": "url", "url": url}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") for p in content or () if isinstance(p, dict) and p.get("type") == "text")


def _arguments(raw: Any) -> dict[str, Any]:
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _tools(request: dict[str, Any]) -> list[dict[str, Any]]:
    functions = [t.get("function") or {} for t in request.get("tools") or () if t.get("type", "function") == "function"]
    functions += list(request.get("functions") or ())
    return [{"name": f.get("name", ""), "description": f.get("description", ""),
             "input_schema": f.get("parameters") or {"type": "object", "properties": {}}} for f in functions]


def _tool_choice(request: dict[str, Any]) -> dict[str, Any]:
    choice = request.get("tool_choice", request.get("function_call", "auto"))
    if isinstance(choice, dict):
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        out: dict[str, Any] = {"type": "tool", "name": name}
    else:
        out = {"type": {"none": "none", "required": "any"}.get(choice, "auto")}
    if request.get("parallel_tool_calls") is False and out["type"] != "none":
        out["disable_parallel_tool_use"] = True
    return out


def chat_completion_chunks(completion: dict[str, Any], request: dict[str, Any],
                           ctx: EngineContext | None = None) -> list[dict[str, Any]]:
    with_usage = bool((request.get("stream_options") or {}).get("include_usage"))
    base = {"id": completion["id"], "object": "chat.completion.chunk", "created": completion["created"],
            "model": completion["model"]}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        out = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}]}
        if with_usage:
            out["usage"] = None
        return out

    choice = completion["choices"][0]
    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": text}) for text in tokenizer.chunks(choice["message"]["content"] or "", TEXT_PIECES)]
    for index, call in enumerate(choice["message"].get("tool_calls") or ()):
        opening = {"index": index, "id": call["id"], "type": "function",
                   "function": {"name": call["function"]["name"], "arguments": ""}}
        chunks.append(chunk({"tool_calls": [opening]}))
        arguments = call["function"]["arguments"]
        chunks += [chunk({"tool_calls": [{"index": index, "function": {"arguments": arguments[i:i + ARGUMENT_CHUNK]}}]})
                   for i in range(0, len(arguments), ARGUMENT_CHUNK)]
    chunks.append(chunk({}, choice["finish_reason"]))
    if with_usage:
        chunks.append({**base, "choices": [], "usage": completion["usage"]})
    return chunks

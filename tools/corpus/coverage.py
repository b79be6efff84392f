"""Which kinds of API traffic an exchange shows: the coverage classes the corpus must contain."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

CLASSES = (
    "json_messages", "sse_messages", "tools", "server_tools", "thinking", "documents_images",
    "count_tokens", "files", "batches", "models", "errors",
)
SERVER_TOOL_PREFIXES = ("web_search", "web_fetch", "code_execution", "bash_code_execution",
                        "text_editor_code_execution", "tool_search", "mcp")


def classes(interaction: dict[str, Any]) -> set[str]:
    request, response = interaction["request"], interaction["response"]
    path = urlsplit(request["uri"]).path
    body = _json(request.get("body"))
    reply = response["body"]["string"]
    found = {name for prefix, name in _PATHS if path.startswith(prefix)}
    if response["status"]["code"] >= 400:
        found.add("errors")
    if path.rstrip("/") == "/v1/messages":
        found.add("sse_messages" if _is_stream(body, response) else "json_messages")
        found |= _message_features(body, reply)
    return found


_PATHS = (("/v1/messages/count_tokens", "count_tokens"), ("/v1/files", "files"),
          ("/v1/messages/batches", "batches"), ("/v1/models", "models"))


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _is_stream(body: dict[str, Any], response: dict[str, Any]) -> bool:
    types = [v for k, vs in response["headers"].items() if k.lower() == "content-type" for v in vs]
    return bool(body.get("stream")) or any("text/event-stream" in t for t in types)


def _message_features(body: dict[str, Any], reply: str) -> set[str]:
    found = set()
    tool_types = [str(t.get("type") or "custom") for t in body.get("tools") or [] if isinstance(t, dict)]
    if any(t == "custom" for t in tool_types) or '"type":"tool_use"' in reply.replace(" ", ""):
        found.add("tools")
    squashed = reply.replace(" ", "")
    if any(t.startswith(SERVER_TOOL_PREFIXES) for t in tool_types) or '"type":"server_tool_use"' in squashed:
        found.add("server_tools")
    if (body.get("thinking") or {}).get("type") in ("enabled", "adaptive") or '"type":"thinking"' in squashed:
        found.add("thinking")
    if _block_types(body) & {"image", "document"}:
        found.add("documents_images")
    return found


def _block_types(body: dict[str, Any]) -> set[str]:
    types: set[str] = set()
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else []:
            if isinstance(block, dict):
                types.add(str(block.get("type")))
                inner = block.get("content")
                types |= {str(b.get("type")) for b in inner if isinstance(b, dict)} if isinstance(inner, list) else set()
    return types

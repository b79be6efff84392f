"""Which recorded exchanges the input-token figures cover, and the group each one falls in.

The rule for leaving an exchange out: its real count depends on content that is not in the
recording, so no mock could reproduce it. That is the case when the API fetched part of the
prompt itself: an image or document given by URL or by Files API id (the bytes were never
sent), or the tool lists of `mcp_servers` (read from the remote server at run time).
Nothing is left out by name or by how far off the mock is.
"""

from __future__ import annotations

from typing import Any, Iterator

GROUPS = ("text", "tools", "server tools", "images", "documents", "thinking", "structured output")
_FETCHED = ("url", "file")


def unreproducible(request: Any) -> str | None:
    """Why the real input count of this Messages or count_tokens request cannot be reproduced, or None."""
    if not isinstance(request, dict):
        return None
    if request.get("mcp_servers"):
        return "MCP servers: their tool definitions are read from the server, not sent"
    for block in _blocks(request):
        if block.get("type") in ("image", "document") and (block.get("source") or {}).get("type") in _FETCHED:
            article = "an" if block["type"] == "image" else "a"
            return f"{article} {block['type']} the API fetched ({block['source']['type']} source): never sent"
    return None


def group_of(request: Any) -> str:
    """One group per request, the most specific first: server tools, images, documents, thinking,
    structured output, tools, text."""
    if not isinstance(request, dict):
        return "text"
    tools = [t for t in request.get("tools") or () if isinstance(t, dict)]
    kinds = {b.get("type") for b in _blocks(request)}
    if request.get("mcp_servers") or any(t.get("type") not in (None, "custom") for t in tools):
        return "server tools"
    if "image" in kinds:
        return "images"
    if "document" in kinds:
        return "documents"
    if (request.get("thinking") or {}).get("type") in ("enabled", "adaptive") or "thinking" in kinds:
        return "thinking"
    if request.get("output_format") or (request.get("output_config") or {}).get("format"):
        return "structured output"
    return "tools" if tools else "text"


def _blocks(request: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every content block of the messages, tool results' inner blocks included."""
    for message in request.get("messages") or ():
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else ():
            if isinstance(block, dict):
                yield block
                inner = block.get("content")
                if block.get("type") == "tool_result" and isinstance(inner, list):
                    yield from (b for b in inner if isinstance(b, dict))

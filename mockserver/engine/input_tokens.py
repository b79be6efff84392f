"""Input token counts, block by block, in the order the API caches them: tools, system, messages.

The same segments feed `count_tokens` (their sum) and prompt caching (their running total at
each cache_control breakpoint), so the two can never disagree. Fixed costs: images 1,600
tokens; PDF pages 2,000 each (pages found by their `/Type /Page` objects); URL and file
sources one page; the tool-use system prompt 346 tokens (313 when tool_choice forces a tool).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

import orjson

from . import tokenizer
from .conversation import blocks

REQUEST_OVERHEAD = 3
MESSAGE_OVERHEAD = 4
SYSTEM_OVERHEAD = 3
TOOL_OVERHEAD = 4
TOOL_PROMPT = 346
FORCED_TOOL_PROMPT = 313
IMAGE_TOKENS = 1_600
PDF_PAGE_TOKENS = 2_000
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


@dataclass(slots=True)
class Segment:
    tokens: int
    cache_control: dict[str, Any] | None
    role: str  # "tools" | "system" | "user" | "assistant" | "" (framing)
    item: Any  # the tool or block itself: cache keys are built from it


def segments(request: dict[str, Any]) -> list[Segment]:
    out = [Segment(REQUEST_OVERHEAD, None, "", None)]
    out += _tool_segments(request)
    out += _system_segments(request.get("system"))
    messages = request.get("messages") or []
    last_assistant = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    for i, message in enumerate(messages):
        out += _message_segments(message, keep_thinking=i == last_assistant)
    return out


def total(request: dict[str, Any]) -> int:
    return sum(s.tokens for s in segments(request))


def _tool_segments(request: dict[str, Any]) -> list[Segment]:
    tools = [t for t in request.get("tools") or () if isinstance(t, dict)]
    if not tools:
        return []
    forced = (request.get("tool_choice") or {}).get("type") in ("any", "tool")
    out = [Segment(_tool_tokens(t), t.get("cache_control"), "tools", t) for t in tools]
    out[0].tokens += FORCED_TOOL_PROMPT if forced else TOOL_PROMPT
    return out


def _tool_tokens(tool: dict[str, Any]) -> int:
    if "input_schema" in tool:
        return (TOOL_OVERHEAD + tokenizer.count(tool.get("name", "")) + tokenizer.count(tool.get("description") or "")
                + tokenizer.count(orjson.dumps(tool["input_schema"]).decode()))
    described = {k: v for k, v in tool.items() if k != "cache_control"}
    return TOOL_OVERHEAD + tokenizer.count(orjson.dumps(described).decode())


def _system_segments(system: Any) -> list[Segment]:
    if not system:
        return []
    if isinstance(system, str):
        return [Segment(SYSTEM_OVERHEAD + tokenizer.count(system), None, "system", system)]
    out = [Segment(block_tokens(b), b.get("cache_control"), "system", b) for b in system if isinstance(b, dict)]
    if out:
        out[0].tokens += SYSTEM_OVERHEAD
    return out


def _message_segments(message: dict[str, Any], keep_thinking: bool) -> list[Segment]:
    role = message.get("role", "user")
    content = message.get("content")
    if isinstance(content, str):
        return [Segment(MESSAGE_OVERHEAD + tokenizer.count(content), None, role, content)]
    out = [Segment(block_tokens(b, keep_thinking), _cache_control(b), role, b) for b in blocks(message)]
    if not out:
        return [Segment(MESSAGE_OVERHEAD, None, role, None)]
    out[0].tokens += MESSAGE_OVERHEAD
    return out


def _cache_control(block: Any) -> dict[str, Any] | None:
    """A block's own breakpoint, or one set inside a tool result (it ends the same prefix)."""
    if not isinstance(block, dict):
        return None
    if block.get("cache_control"):
        return block["cache_control"]
    inner = block.get("content") if block.get("type") == "tool_result" else None
    if isinstance(inner, list):
        marks = [b["cache_control"] for b in inner if isinstance(b, dict) and b.get("cache_control")]
        return marks[-1] if marks else None
    return None


def block_tokens(block: Any, keep_thinking: bool = True) -> int:
    if not isinstance(block, dict):
        return 0
    kind = block.get("type")
    if kind == "text":
        return tokenizer.count(block.get("text", ""))
    if kind == "image":
        return IMAGE_TOKENS
    if kind == "document":
        return _document_tokens(block)
    if kind == "thinking":
        return tokenizer.count(block.get("thinking", "")) if keep_thinking else 0
    if kind == "redacted_thinking":
        return len(block.get("data", "")) // 8 if keep_thinking else 0
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        return tokenizer.count(block.get("name", "")) + tokenizer.count(orjson.dumps(block.get("input") or {}).decode())
    if kind in ("tool_result", "mcp_tool_result"):
        inner = block.get("content")
        if isinstance(inner, str):
            return tokenizer.count(inner) + 2
        return 2 + sum(block_tokens(b) for b in inner or ())
    if kind == "search_result":
        return (tokenizer.count(block.get("title", "")) + tokenizer.count(block.get("source", ""))
                + sum(block_tokens(b) for b in block.get("content") or ()))
    if kind == "tool_reference":
        return 2 + tokenizer.count(block.get("tool_name", ""))
    body = {k: v for k, v in block.items() if k not in ("cache_control", "type")}
    return tokenizer.count(orjson.dumps(body).decode())


def _document_tokens(block: dict[str, Any]) -> int:
    source = block.get("source") or {}
    extra = tokenizer.count(block.get("title") or "") + tokenizer.count(block.get("context") or "")
    kind = source.get("type")
    if kind == "text":
        return extra + tokenizer.count(source.get("data", ""))
    if kind == "content":
        inner = source.get("content")
        if isinstance(inner, str):
            return extra + tokenizer.count(inner)
        return extra + sum(block_tokens(b) for b in inner or ())
    if kind == "base64":
        return extra + PDF_PAGE_TOKENS * pdf_pages(source.get("data", ""))
    return extra + PDF_PAGE_TOKENS


def pdf_pages(data: str) -> int:
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return 1
    return max(1, len(_PDF_PAGE.findall(raw)))

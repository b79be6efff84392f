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
from typing import Any, Callable

import orjson

from .tokenizer import count as count_text
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


Count = Callable[[str], int]


def segments(request: dict[str, Any], count: Count = count_text) -> list[Segment]:
    """`count` may be a request's memo (`tokenizer.Memo`), so that later uses of a text are free."""
    out = [Segment(REQUEST_OVERHEAD, None, "", None)]
    out += _tool_segments(request, count)
    out += _system_segments(request.get("system"), count)
    messages = request.get("messages") or []
    last_assistant = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    for i, message in enumerate(messages):
        out += _message_segments(message, i == last_assistant, count)
    return out


def total(request: dict[str, Any]) -> int:
    return sum(s.tokens for s in segments(request))


def _tool_segments(request: dict[str, Any], count: Count) -> list[Segment]:
    tools = [t for t in request.get("tools") or () if isinstance(t, dict)]
    if not tools:
        return []
    forced = (request.get("tool_choice") or {}).get("type") in ("any", "tool")
    out = [Segment(_tool_tokens(t, count), t.get("cache_control"), "tools", t) for t in tools]
    out[0].tokens += FORCED_TOOL_PROMPT if forced else TOOL_PROMPT
    return out


def _tool_tokens(tool: dict[str, Any], count: Count) -> int:
    if "input_schema" in tool:
        return (TOOL_OVERHEAD + count(tool.get("name", "")) + count(tool.get("description") or "")
                + count(orjson.dumps(tool["input_schema"]).decode()))
    described = {k: v for k, v in tool.items() if k != "cache_control"}
    return TOOL_OVERHEAD + count(orjson.dumps(described).decode())


def _system_segments(system: Any, count: Count) -> list[Segment]:
    if not system:
        return []
    if isinstance(system, str):
        return [Segment(SYSTEM_OVERHEAD + count(system), None, "system", system)]
    out = [Segment(block_tokens(b, True, count), b.get("cache_control"), "system", b)
           for b in system if isinstance(b, dict)]
    if out:
        out[0].tokens += SYSTEM_OVERHEAD
    return out


def _message_segments(message: dict[str, Any], keep_thinking: bool, count: Count) -> list[Segment]:
    role = message.get("role", "user")
    content = message.get("content")
    if isinstance(content, str):
        return [Segment(MESSAGE_OVERHEAD + count(content), None, role, content)]
    out = [Segment(block_tokens(b, keep_thinking, count), _cache_control(b), role, b) for b in blocks(message)]
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


def block_tokens(block: Any, keep_thinking: bool = True, count: Count = count_text) -> int:
    if not isinstance(block, dict):
        return 0
    kind = block.get("type")
    if kind == "text":
        return count(block.get("text", ""))
    if kind == "image":
        return IMAGE_TOKENS
    if kind == "document":
        return _document_tokens(block, count)
    if kind == "thinking":
        return count(block.get("thinking", "")) if keep_thinking else 0
    if kind == "redacted_thinking":
        return len(block.get("data", "")) // 8 if keep_thinking else 0
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        return count(block.get("name", "")) + count(orjson.dumps(block.get("input") or {}).decode())
    if kind in ("tool_result", "mcp_tool_result"):
        inner = block.get("content")
        if isinstance(inner, str):
            return count(inner) + 2
        return 2 + sum(block_tokens(b, True, count) for b in inner or ())
    if kind == "search_result":
        return (count(block.get("title", "")) + count(block.get("source", ""))
                + sum(block_tokens(b, True, count) for b in block.get("content") or ()))
    if kind == "compaction":  # the summary stands for what it compacted
        return count(block.get("content") or "")
    if kind == "tool_reference":
        return 2 + count(block.get("tool_name", ""))
    body = {k: v for k, v in block.items() if k not in ("cache_control", "type")}
    return count(orjson.dumps(body).decode())


def _document_tokens(block: dict[str, Any], count: Count) -> int:
    source = block.get("source") or {}
    extra = count(block.get("title") or "") + count(block.get("context") or "")
    kind = source.get("type")
    if kind == "text":
        return extra + count(source.get("data", ""))
    if kind == "content":
        inner = source.get("content")
        if isinstance(inner, str):
            return extra + count(inner)
        return extra + sum(block_tokens(b, True, count) for b in inner or ())
    if kind == "base64":
        return extra + PDF_PAGE_TOKENS * pdf_pages(source.get("data", ""))
    return extra + PDF_PAGE_TOKENS


def pdf_pages(data: str) -> int:
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return 1
    return max(1, len(_PDF_PAGE.findall(raw)))

"""Input token counts, block by block, in the order the API caches them: tools, system, messages.

The same segments feed `count_tokens` (their sum) and prompt caching (their running total at
each cache_control breakpoint), so the two can never disagree. Every cost is a coefficient of
the model's family, fitted on real recorded usage (`token_fit`, `tools/refit_tokens.py`): text
is the tokenizer's count times the family's `text` ratio; the request, the system prompt and
each message have a framing cost; tools cost a prompt chosen by `tool_choice` plus a cost per
definition and per definition token; each server tool and MCP toolset has its own cost; each
tool_use and tool_result block one more; thinking and a structured-output schema add their
prompts; images cost width x height / 750 after the resize (`media`), PDFs a cost per page
plus their pages' text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import orjson

from . import media, token_fit
from .conversation import blocks
from .token_fit import Coefficients
from .tokenizer import count as count_text

Count = Callable[[str], int]
TOOL_CHOICES = ("auto", "any", "tool", "none")
_DATED = re.compile(r"_\d{8}$")
_CUSTOM_TOOL_TYPES = (None, "custom")


@dataclass(slots=True)
class Segment:
    tokens: int
    cache_control: dict[str, Any] | None
    role: str  # "tools" | "system" | "user" | "assistant" | "" (framing)
    item: Any  # the tool or block itself: cache keys are built from it


class Counter:
    """One request's costs: its family's coefficients and the text counter (a `tokenizer.Memo`)."""

    __slots__ = ("fit", "count")

    def __init__(self, fit: Coefficients, count: Count = count_text) -> None:
        self.fit, self.count = fit, count

    def text(self, text: str) -> float:
        return self.fit["text"] * self.count(text) if text else 0.0

    def json(self, value: Any) -> int:
        return self.count(orjson.dumps(value).decode())


def counter(request: dict[str, Any], count: Count = count_text, fit: Coefficients | None = None) -> Counter:
    return Counter(fit if fit is not None else token_fit.for_model(request.get("model")), count)


def segments(request: dict[str, Any], count: Count = count_text, fit: Coefficients | None = None) -> list[Segment]:
    """`count` may be a request's memo (`tokenizer.Memo`), so that later uses of a text are free;
    `fit` replaces the model family's coefficients (the refit evaluates one coefficient at a time)."""
    c = counter(request, count, fit)
    out = [Segment(round(framing(request, c)), None, "", None)]
    out += _tool_segments(request, c)
    out += _system_segments(request.get("system"), c)
    messages = request.get("messages") or []
    looping = _tool_loop_turn(messages)
    for i, message in enumerate(messages):
        out += _message_segments(message, i == looping, c)
    return out


def _tool_loop_turn(messages: list[dict[str, Any]]) -> int:
    """The assistant turn whose thinking the model still reads: the last one, if it called a tool
    (the loop goes on). Thinking of earlier turns is dropped from the prompt."""
    last = max((i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=-1)
    content = messages[last].get("content") if last >= 0 else None
    calls = isinstance(content, list) and any(isinstance(b, dict) and b.get("type") in ("tool_use", "server_tool_use")
                                              for b in content)
    return last if calls else -1


def total(request: dict[str, Any]) -> int:
    return sum(s.tokens for s in segments(request))


def framing(request: dict[str, Any], c: Counter) -> float:
    """The request's fixed costs: its framing, the thinking and structured-output prompts, MCP servers."""
    fit, tokens = c.fit, c.fit["request"]
    thinking = request.get("thinking")
    if isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive"):
        budget = thinking.get("budget_tokens")
        tokens += fit["thinking"] + fit["thinking_budget"] * (budget / 1000 if isinstance(budget, int) else 0)
    schema = _output_schema(request)
    if schema is not None:
        tokens += fit["schema_prompt"] + fit["schema"] * c.json(schema)
    servers = request.get("mcp_servers")
    if isinstance(servers, list):
        tokens += fit["mcp_toolset"] * len(servers)
    return tokens


def _output_schema(request: dict[str, Any]) -> Any:
    config = request.get("output_config")
    form = config.get("format") if isinstance(config, dict) else None
    form = form if isinstance(form, dict) else request.get("output_format")
    if isinstance(form, dict) and form.get("type") == "json_schema":
        return form.get("schema") or {}
    return None


def _tool_segments(request: dict[str, Any], c: Counter) -> list[Segment]:
    tools = [t for t in request.get("tools") or () if isinstance(t, dict)]
    if not tools:
        return []
    costs = [tool_cost(t, c) for t in tools]
    if any(t.get("type") in _CUSTOM_TOOL_TYPES for t in tools):
        choice = (request.get("tool_choice") or {}).get("type")
        costs[0] += c.fit["tool_prompt_" + (choice if choice in TOOL_CHOICES else "auto")]
    return [Segment(round(cost), t.get("cache_control"), "tools", t) for t, cost in zip(tools, costs)]


def tool_cost(tool: dict[str, Any], c: Counter) -> float:
    """A custom tool by its size; a server tool or MCP toolset by its type (its prompt is the API's)."""
    kind = tool.get("type")
    if tool.get("defer_loading") is True:  # loaded only when a tool search finds it
        return 0.0
    if kind in _CUSTOM_TOOL_TYPES:
        size = c.count(tool.get("name") or "") + c.count(tool.get("description") or "")
        return c.fit["tool"] + c.fit["tool_definition"] * (size + c.json(tool.get("input_schema") or {}))
    if not isinstance(kind, str):
        return c.fit["server_tool"]
    name = "server_tool:" + _DATED.sub("", kind)
    return c.fit[name] if name in c.fit else c.fit["server_tool"]


def _system_segments(system: Any, c: Counter) -> list[Segment]:
    if not system:
        return []
    if isinstance(system, str):
        return [Segment(round(c.fit["system"] + c.text(system)), None, "system", system)]
    parts = [b for b in system if isinstance(b, dict)]
    costs = [block_cost(b, True, c) for b in parts]
    if costs:
        costs[0] += c.fit["system"]
    return [Segment(round(cost), b.get("cache_control"), "system", b) for b, cost in zip(parts, costs)]


def _message_segments(message: dict[str, Any], keep_thinking: bool, c: Counter) -> list[Segment]:
    role = message.get("role", "user")
    content = message.get("content")
    if isinstance(content, str):
        return [Segment(round(c.fit["message"] + c.text(content)), None, role, content)]
    parts = blocks(message)
    costs = [block_cost(b, keep_thinking, c) for b in parts]
    if not costs:
        return [Segment(round(c.fit["message"]), None, role, None)]
    costs[0] += c.fit["message"]
    return [Segment(round(cost), _cache_control(b), role, b) for b, cost in zip(parts, costs)]


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


def block_tokens(block: Any, keep_thinking: bool = True, count: Count = count_text,
                 model: object = None) -> int:
    return round(block_cost(block, keep_thinking, Counter(token_fit.for_model(model), count)))


def block_cost(block: Any, keep_thinking: bool, c: Counter) -> float:
    if not isinstance(block, dict):
        return 0.0
    kind = block.get("type")
    if kind == "text":
        return c.text(block.get("text", ""))
    if kind == "image":
        return _image_cost(block.get("source") or {}, c.fit)
    if kind == "document":
        return _document_cost(block, c)
    if kind == "thinking":
        return c.text(block.get("thinking", "")) if keep_thinking else 0.0
    if kind == "redacted_thinking":
        return len(block.get("data", "")) // 8 if keep_thinking else 0.0
    if kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        return c.fit["tool_use"] + c.fit["text"] * (c.count(block.get("name", "")) + c.json(block.get("input") or {}))
    if kind in ("tool_result", "mcp_tool_result"):
        inner = block.get("content")
        if isinstance(inner, str):
            return c.fit["tool_result"] + c.text(inner)
        return c.fit["tool_result"] + sum(block_cost(b, True, c) for b in inner or ())
    if kind == "search_result":
        return (c.text(block.get("title", "")) + c.text(block.get("source", ""))
                + sum(block_cost(b, True, c) for b in block.get("content") or ()))
    if kind == "compaction":  # the summary stands for what it compacted
        return c.text(block.get("content") or "")
    if kind == "tool_reference":
        return c.fit["tool_result"] + c.text(block.get("tool_name", ""))
    if kind == "web_search_tool_result" and isinstance(block.get("content"), list):  # the pages, not their ids
        return c.fit["web_search_result"] * len(block["content"])
    body = {k: v for k, v in block.items() if k not in ("cache_control", "type")}
    if isinstance(kind, str) and kind.endswith("_tool_result"):  # a server tool's result, as the model reads it
        return c.fit["server_result"] * c.json(body)
    return c.fit["text"] * c.json(body)


def _image_cost(source: dict[str, Any], fit: Coefficients) -> float:
    size = media.image_size(source.get("data")) if source.get("type") == "base64" else None
    if size is None:
        return fit["image_unfetched"]
    return fit["image_block"] + fit["image"] * media.image_tokens(*size)


def _document_cost(block: dict[str, Any], c: Counter) -> float:
    source = block.get("source") or {}
    tokens = c.text(block.get("title") or "") + c.text(block.get("context") or "")
    if (block.get("citations") or {}).get("enabled"):
        tokens += c.fit["citations"]
    kind = source.get("type")
    if kind == "text":
        return tokens + c.text(source.get("data", ""))
    if kind == "content":
        inner = source.get("content")
        if isinstance(inner, str):
            return tokens + c.text(inner)
        return tokens + sum(block_cost(b, True, c) for b in inner or ())
    if kind == "base64":
        data = source.get("data")
        return tokens + c.fit["pdf_page"] * media.pdf_pages(data) + c.fit["pdf_text"] * c.count(media.pdf_text(data))
    return tokens + c.fit["document_unfetched"]

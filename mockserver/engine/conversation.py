"""A read-only view of a Messages request: turns, the last user text, tools by kind."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .tokenizer import Memo

CLIENT_TOOL_TYPES = ("custom", "bash_", "text_editor_", "computer_", "memory_")
SERVER_TOOL_PREFIXES = ("web_search_", "web_fetch_", "code_execution_", "tool_search_tool_", "advisor_")
_WORD = re.compile(r"[a-z0-9]+")


def blocks(message: dict[str, Any]) -> list[Any]:
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return content if isinstance(content, list) else []


def text_of(items: list[Any]) -> str:
    """The plain text of a list of blocks, looking inside tool results."""
    parts: list[str] = []
    for block in items:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text":
            parts.append(block.get("text", ""))
        elif kind == "tool_result":
            inner = block.get("content")
            parts.append(inner if isinstance(inner, str) else text_of(inner or []))
    return "\n".join(p for p in parts if p)


def system_text(request: dict[str, Any]) -> str:
    system = request.get("system")
    if isinstance(system, str):
        return system
    return text_of(system) if isinstance(system, list) else ""


def is_server_tool(tool: dict[str, Any]) -> bool:
    kind = tool.get("type") or ""
    return kind.startswith(SERVER_TOOL_PREFIXES) or kind in ("tool_search_tool_regex", "tool_search_tool_bm25")


@dataclass(slots=True)
class Conversation:
    request: dict[str, Any]
    turns: list[tuple[str, list[Any]]]  # consecutive same-role messages merged, as the API does
    last_user: list[Any] = field(default_factory=list)
    last_user_text: str = ""
    prefill: str | None = None  # text of a final assistant turn
    previous_assistant: list[Any] = field(default_factory=list)
    tokens: Memo = field(default_factory=Memo)
    _words: frozenset[str] | None = None
    _tools: list[dict[str, Any]] = field(default_factory=list)
    _server_tools: list[dict[str, Any]] | None = None  # split lazily: most requests have no tools
    _client_tools: list[dict[str, Any]] | None = None

    @classmethod
    def of(cls, request: dict[str, Any]) -> Conversation:
        turns: list[tuple[str, list[Any]]] = []
        for message in request.get("messages") or ():
            role = message.get("role")
            if turns and turns[-1][0] == role:
                turns[-1] = (role, turns[-1][1] + blocks(message))
            else:
                turns.append((role, blocks(message)))
        convo = cls(request, turns)
        tools = request.get("tools")
        if tools:
            convo._tools = [t for t in tools if isinstance(t, dict)]
        user_turns = [i for i, (role, _) in enumerate(turns) if role == "user"]
        if user_turns:
            last = user_turns[-1]
            convo.last_user = turns[last][1]
            convo.last_user_text = text_of(convo.last_user)
            if last > 0 and turns[last - 1][0] == "assistant":
                convo.previous_assistant = turns[last - 1][1]
        if turns and turns[-1][0] == "assistant":
            convo.prefill = text_of(turns[-1][1])
        return convo

    @property
    def words(self) -> frozenset[str]:
        """Lower-case words of the last user text (the tool rules match against these)."""
        if self._words is None:
            self._words = frozenset(_WORD.findall(self.last_user_text.lower()))
        return self._words

    @property
    def answers_tools(self) -> bool:
        """The last user turn returns tool results (so the reply should use them)."""
        return any(isinstance(b, dict) and b.get("type") == "tool_result" for b in self.last_user)

    def tools(self) -> list[dict[str, Any]]:
        return self._tools

    def client_tools(self) -> list[dict[str, Any]]:
        if self._client_tools is None:
            self._client_tools = [t for t in self._tools if not is_server_tool(t) and t.get("type") != "mcp_toolset"]
        return self._client_tools

    def server_tools(self) -> list[dict[str, Any]]:
        if self._server_tools is None:
            self._server_tools = [t for t in self._tools if is_server_tool(t)]
        return self._server_tools

    def documents(self) -> list[dict[str, Any]]:
        """Every document block of the user turns, in order: their index is `document_index`."""
        found: list[dict[str, Any]] = []
        for role, items in self.turns:
            if role != "user":
                continue
            for block in items:
                if isinstance(block, dict) and block.get("type") == "document":
                    found.append(block)
        return found

    def search_results(self) -> list[dict[str, Any]]:
        """search_result blocks of the last user turn, top level or inside tool results."""
        found: list[dict[str, Any]] = []
        for block in self.last_user:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "search_result":
                found.append(block)
            elif block.get("type") == "tool_result" and isinstance(block.get("content"), list):
                found.extend(b for b in block["content"] if isinstance(b, dict) and b.get("type") == "search_result")
        return found

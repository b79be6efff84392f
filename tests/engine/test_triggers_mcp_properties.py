"""Properties of replies with MCP servers, the advisor and code execution files: every reply is a valid
beta Message, its stream accumulates back to it, it stays within max_tokens, and each call is
followed by its own result."""

from __future__ import annotations

import copy
from typing import Any

from anthropic.types.beta import BetaMessage
from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine import create_message
from tests.engine.support import accumulate, ctx

WORDS = ("crm", "search", "fetch", "wiki", "advice", "advisor", "file", "files", "create", "show", "edit",
         "/tmp/a.py", "notes.md", "please", "the", "Acme", "python", "run")
RESULT_OF = {"mcp_tool_use": "mcp_tool_result"}
SERVER_RESULTS = {"advisor": "advisor_tool_result", "text_editor_code_execution": "text_editor_code_execution_tool_result",
                  "bash_code_execution": "bash_code_execution_tool_result", "code_execution": "code_execution_tool_result"}

configs = st.fixed_dictionaries({}, optional={
    "default_config": st.fixed_dictionaries({"enabled": st.booleans()}),
    "configs": st.dictionaries(st.sampled_from(["search", "fetch"]), st.fixed_dictionaries({"enabled": st.booleans()})),
})


@st.composite
def requests(draw: Any) -> tuple[dict[str, Any], frozenset[str]]:
    servers = draw(st.lists(st.sampled_from(["crm", "wiki"]), unique=True, max_size=2))
    tools: list[dict[str, Any]] = [{"type": "mcp_toolset", "mcp_server_name": s, **draw(configs)} for s in servers]
    if draw(st.booleans()):
        tools.append({"type": "advisor_20260301", "name": "advisor", "model": "claude-opus-4-7",
                      **draw(st.fixed_dictionaries({}, optional={"max_uses": st.integers(0, 2),
                                                                 "max_tokens": st.integers(1, 40)}))})
    if draw(st.booleans()):
        tools.append({"type": draw(st.sampled_from(["code_execution_20250825", "code_execution_20250522"])),
                      "name": "code_execution"})
    text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)))
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    if draw(st.booleans()):
        content.insert(0, {"type": "container_upload", "file_id": "file_011given"})
    request = {"model": "claude-sonnet-4-6", "max_tokens": draw(st.integers(1, 400)),
               "messages": [{"role": "user", "content": content}],
               "mcp_servers": [{"type": "url", "url": f"https://{s}.example.com/mcp", "name": s} for s in servers]}
    if tools:
        request["tools"] = tools
    betas = frozenset(draw(st.sampled_from([["mcp-client-2025-11-20"], ["mcp-client-2026-09-15"]])))
    return request, betas


@given(requests(), st.integers(0, 2**32))
def test_replies_are_valid_bounded_and_stream_back(drawn: tuple[dict[str, Any], frozenset[str]], seed: int) -> None:
    request, betas = drawn
    message = create_message(copy.deepcopy(request), ctx(seed, betas=betas))
    BetaMessage.model_validate(message)
    assert accumulate(message, beta=True) == message
    assert message["usage"]["output_tokens"] <= request["max_tokens"]
    assert create_message(copy.deepcopy(request), ctx(seed, betas=betas)) == message
    _each_call_has_its_result(message["content"])


def _each_call_has_its_result(content: list[dict[str, Any]]) -> None:
    for i, block in enumerate(content):
        wanted = RESULT_OF.get(block["type"])
        if block["type"] == "server_tool_use":
            wanted = SERVER_RESULTS[block["name"]]
        if wanted is None:
            continue
        assert i + 1 < len(content), "a call without its result"
        assert content[i + 1]["type"] == wanted and content[i + 1]["tool_use_id"] == block["id"]

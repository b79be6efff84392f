"""Programmatic tool calling through the official SDK: code execution calls a client tool, the client
answers, and the run finishes with the code execution result and a text answer."""

from __future__ import annotations

import anthropic
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from .helpers import KEY, MODEL

BETAS = ["code-execution-2025-08-25", "advanced-tool-use-2025-11-20"]
TOOLS = [
    {"type": "code_execution_20250825", "name": "code_execution"},
    {"name": "get_inventory", "description": "Stock level of a product",
     "input_schema": {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]},
     "allowed_callers": ["code_execution_20250825"]},
]
QUESTION = [{"role": "user", "content": "Use get_inventory for every product and sum the stock."}]


@pytest.fixture(scope="module")
def client():
    with MockServer(Config(seed=11)) as server:
        yield anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0,
                                  _strict_response_validation=True)


def ask(client, messages, stream, container=None):
    params = dict(model=MODEL, max_tokens=1024, tools=TOOLS, betas=BETAS, messages=messages)
    if container:
        params["container"] = container
    if not stream:
        return client.beta.messages.create(**params)
    with client.beta.messages.stream(**params) as events:
        return events.get_final_message()


@pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])
def test_round_trip(client, stream):
    first = ask(client, QUESTION, stream)
    assert first.stop_reason == "tool_use"
    run = next(b for b in first.content if b.type == "server_tool_use")
    calls = [b for b in first.content if b.type == "tool_use"]
    assert calls and all(c.caller.type == "code_execution_20250825" and c.caller.tool_id == run.id for c in calls)
    assert first.container is not None and first.container.id

    results = [{"type": "tool_result", "tool_use_id": c.id, "content": "42"} for c in calls]
    second = ask(client, [*QUESTION, {"role": "assistant", "content": first.content},
                          {"role": "user", "content": results}], stream, container=first.container.id)
    kinds = [b.type for b in second.content]
    assert any(kind.endswith("code_execution_tool_result") for kind in kinds)
    assert kinds[-1] == "text"
    assert second.stop_reason == "end_turn"


def test_generally_available_without_the_beta_header(client):
    """`allowed_callers` and code_execution_20250825 are in the non-beta schema of the current API."""
    reply = client.messages.create(model=MODEL, max_tokens=1024, tools=TOOLS, messages=QUESTION)
    assert any(b.type == "tool_use" and b.caller.type == "code_execution_20250825" for b in reply.content)

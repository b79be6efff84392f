"""Requests that make the mock return MCP connector blocks, the advisor tool, container uploads and
the text editor of code execution: each through the official 2.x client, as JSON and as a stream."""

from __future__ import annotations

from typing import Any

import anthropic
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from ..helpers import KEY, MODEL

MCP_BETA = "mcp-client-2025-11-20"
LISTING_BETA = "mcp-client-2026-09-15"
ADVISOR_BETA = "advisor-tool-2026-03-01"
CRM = {"type": "url", "url": "https://crm.example.com/mcp", "name": "crm"}
CRM_TOOLSET = {"type": "mcp_toolset", "mcp_server_name": "crm"}
ADVISOR = {"type": "advisor_20260301", "name": "advisor", "model": "claude-opus-4-7"}
CODE = {"type": "code_execution_20250825", "name": "code_execution"}
MODES = pytest.mark.parametrize("stream", [False, True], ids=["json", "sse"])


@pytest.fixture(scope="module")
def client():
    with MockServer(Config(seed=17)) as server:
        yield anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0,
                                  _strict_response_validation=True)


def ask(client: anthropic.Anthropic, stream: bool, text: Any, beta: bool = True, **params: Any) -> Any:
    """The final message; when streamed, also checks each block opened with its own type."""
    params = dict(model=MODEL, max_tokens=1024, messages=[{"role": "user", "content": text}], **params)
    api = client.beta.messages if beta else client.messages
    if not stream:
        return api.create(**params)
    with api.stream(**params) as events:
        started = [e.content_block.type for e in events if e.type == "content_block_start"]
        final = events.get_final_message()
    assert started == [b.type for b in final.content]
    return final


def kinds(message: Any) -> list[str]:
    return [block.type for block in message.content]


# -- MCP connector ------------------------------------------------------------------------------

@MODES
def test_naming_the_server_calls_its_tool_and_returns_the_result(client, stream):
    reply = ask(client, stream, "Search the crm for Acme Corp", mcp_servers=[CRM], tools=[CRM_TOOLSET],
                betas=[MCP_BETA])
    assert kinds(reply) == ["mcp_tool_use", "mcp_tool_result", "text"]
    use, result = reply.content[0], reply.content[1]
    assert use.id.startswith("mcptoolu_") and use.server_name == "crm" and use.name == "search"
    assert isinstance(use.input["query"], str)
    assert result.tool_use_id == use.id and result.is_error is False and result.content[0].text
    assert reply.stop_reason == "end_turn"


@MODES
def test_the_newest_beta_lists_the_servers_tools_once(client, stream):
    first = ask(client, stream, "Search the crm for Acme Corp", mcp_servers=[CRM], tools=[CRM_TOOLSET],
                betas=[LISTING_BETA])
    assert kinds(first) == ["mcp_tool_listing", "mcp_tool_use", "mcp_tool_result", "text"]
    assert first.content[0].mcp_server_name == "crm"
    assert [t.name for t in first.content[0].tools] == ["search", "fetch"]

    history = [{"role": "user", "content": "Search the crm for Acme Corp"},
               {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
               {"role": "user", "content": "Now fetch their record from the crm"}]
    second = client.beta.messages.create(model=MODEL, max_tokens=1024, messages=history, mcp_servers=[CRM],
                                         tools=[CRM_TOOLSET], betas=[LISTING_BETA])
    assert kinds(second) == ["mcp_tool_use", "mcp_tool_result", "text"]
    assert second.content[0].name == "fetch"


def test_pinned_tools_are_used_without_a_listing(client):
    pinned = {**CRM_TOOLSET, "tools": [{"name": "lookup_account", "description": "An account by name",
                                        "input_schema": {"type": "object", "properties": {"name": {"type": "string"}},
                                                         "required": ["name"]}}]}
    reply = ask(client, False, "Lookup the account of Acme", mcp_servers=[CRM], tools=[pinned], betas=[LISTING_BETA])
    assert kinds(reply) == ["mcp_tool_use", "mcp_tool_result", "text"]
    assert reply.content[0].name == "lookup_account" and isinstance(reply.content[0].input["name"], str)


def test_toolset_configs_choose_which_tools_are_enabled(client):
    toolset = {**CRM_TOOLSET, "default_config": {"enabled": False}, "configs": {"fetch": {"enabled": True}}}
    reply = ask(client, False, "What does the crm say about Acme?", mcp_servers=[CRM], tools=[toolset],
                betas=[MCP_BETA])
    assert reply.content[0].type == "mcp_tool_use" and reply.content[0].name == "fetch"


def test_allowed_tools_of_the_first_connector_beta(client):
    server = {**CRM, "tool_configuration": {"enabled": True, "allowed_tools": ["get_ticket"]}}
    reply = ask(client, False, "Get the ticket 42", mcp_servers=[server], betas=["mcp-client-2025-04-04"])
    assert kinds(reply) == ["mcp_tool_use", "mcp_tool_result", "text"]
    assert reply.content[0].name == "get_ticket"


@pytest.mark.parametrize("text, extra", [
    ("Tell me a story about the sea", {}),
    ("Search the crm for Acme Corp", {"tool_choice": {"type": "none"}}),
], ids=["not-named", "tool-choice-none"])
def test_no_mcp_call_unless_a_server_is_named_and_tools_may_be_called(client, text, extra):
    reply = ask(client, False, text, mcp_servers=[CRM], tools=[CRM_TOOLSET], betas=[MCP_BETA], **extra)
    assert kinds(reply) == ["text"]


@pytest.mark.parametrize("servers, toolsets, message", [
    ([CRM, CRM], [], "mcp_servers.1.name: MCP server names must be unique, 'crm' is used more than once"),
    ([CRM], [{**CRM_TOOLSET, "mcp_server_name": "wiki"}],
     "tools.0.mcp_server_name: MCP server 'wiki' is not defined in `mcp_servers`"),
    ([CRM], [CRM_TOOLSET, CRM_TOOLSET],
     "tools.1.mcp_server_name: MCP server 'crm' is configured by more than one `mcp_toolset`"),
], ids=["duplicate-server", "unknown-server", "two-toolsets"])
def test_inconsistent_connector_configuration_is_a_400(client, servers, toolsets, message):
    with pytest.raises(anthropic.BadRequestError) as caught:
        ask(client, False, "Search the crm", mcp_servers=servers, tools=toolsets, betas=[MCP_BETA])
    assert caught.value.body["error"] == {"type": "invalid_request_error", "message": message}
    assert caught.value.body["request_id"] == caught.value.response.headers["request-id"]


# -- advisor -------------------------------------------------------------------------------------

@MODES
def test_asking_for_advice_consults_the_advisor(client, stream):
    reply = ask(client, stream, "I need advice on how to structure this migration", tools=[ADVISOR],
                betas=[ADVISOR_BETA])
    assert kinds(reply) == ["server_tool_use", "advisor_tool_result", "text"]
    use, result = reply.content[0], reply.content[1]
    assert use.name == "advisor" and use.input == {} and use.id.startswith("srvtoolu_")
    assert result.tool_use_id == use.id
    assert result.content.type == "advisor_result" and result.content.text and result.content.stop_reason == "end_turn"
    assert reply.stop_reason == "end_turn"


@MODES
def test_advisor_limits(client, stream):
    capped = ask(client, stream, "What is your advice here?", tools=[{**ADVISOR, "max_tokens": 5}],
                 betas=[ADVISOR_BETA])
    advice = capped.content[1].content
    assert advice.stop_reason == "max_tokens" and 0 < len(advice.text.split()) <= 5
    spent = ask(client, stream, "What is your advice here?", tools=[{**ADVISOR, "max_uses": 0}],
                betas=[ADVISOR_BETA])
    assert spent.content[1].content.type == "advisor_tool_result_error"
    assert spent.content[1].content.error_code == "max_uses_exceeded"


def test_the_advisor_is_not_a_client_tool(client):
    reply = ask(client, False, "Write a haiku about autumn", tools=[ADVISOR], betas=[ADVISOR_BETA])
    assert kinds(reply) == ["text"] and reply.stop_reason == "end_turn"


# -- container uploads and the text editor of code execution ---------------------------------------

@MODES
def test_a_file_given_to_code_execution(client, stream):
    given = [{"type": "container_upload", "file_id": "file_011upload"}, {"type": "text", "text": "Summarize this."}]
    reply = ask(client, stream, given, beta=False, tools=[CODE])
    assert kinds(reply) == ["container_upload", "server_tool_use", "bash_code_execution_tool_result", "text"]
    assert reply.content[0].file_id == "file_011upload"
    assert reply.container is not None and reply.container.id.startswith("container_")


@MODES
def test_viewing_an_uploaded_file_uses_the_text_editor(client, stream):
    given = [{"type": "container_upload", "file_id": "file_011upload"}, {"type": "text", "text": "Show me this file."}]
    reply = ask(client, stream, given, beta=False, tools=[CODE])
    assert kinds(reply) == ["container_upload", "server_tool_use", "text_editor_code_execution_tool_result", "text"]
    use, result = reply.content[1], reply.content[2]
    assert use.name == "text_editor_code_execution"
    assert use.input == {"command": "view", "path": "/mnt/user-data/inputs/file_011upload"}
    assert result.tool_use_id == use.id and result.content.type == "text_editor_code_execution_view_result"
    assert result.content.file_type == "text" and result.content.num_lines == len(result.content.content.splitlines())


@MODES
@pytest.mark.parametrize("text, command, content_type", [
    ("Create a file called notes.md with a summary", "create", "text_editor_code_execution_create_result"),
    ("Edit the file /tmp/app.py and fix the TODO", "str_replace", "text_editor_code_execution_str_replace_result"),
    ("Open the file /etc/missing.conf", "view", "text_editor_code_execution_tool_result_error"),
])
def test_file_operations(client, stream, text, command, content_type):
    reply = ask(client, stream, text, beta=False, tools=[CODE])
    assert kinds(reply) == ["server_tool_use", "text_editor_code_execution_tool_result", "text"]
    assert reply.content[0].input["command"] == command
    assert reply.content[1].content.type == content_type
    if command == "view":
        assert reply.content[1].content.error_code == "file_not_found"


def test_a_file_created_earlier_can_be_viewed(client):
    first = ask(client, False, "Create a file called notes.md", beta=False, tools=[CODE])
    path = first.content[0].input["path"]
    assert path == "/tmp/outputs/notes.md" and first.content[1].content.is_file_update is False
    history = [{"role": "user", "content": "Create a file called notes.md"},
               {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in first.content]},
               {"role": "user", "content": f"Show me the file {path}"}]
    second = client.messages.create(model=MODEL, max_tokens=1024, messages=history, tools=[CODE],
                                    container=first.container.id)
    assert second.content[1].content.type == "text_editor_code_execution_view_result"


def test_a_client_text_editor_takes_file_operations_over(client):
    editor = {"type": "text_editor_20250728", "name": "str_replace_based_edit_tool"}
    reply = ask(client, False, "Edit the file /tmp/app.py and fix the TODO", beta=False, tools=[CODE, editor])
    assert kinds(reply) == ["text", "tool_use"] and reply.content[1].name == "str_replace_based_edit_tool"
    assert reply.stop_reason == "tool_use"


@MODES
def test_forcing_the_advisor_and_sending_its_blocks_back(client, stream):
    forced = ask(client, stream, "Plan the rollout", tools=[ADVISOR], betas=[ADVISOR_BETA],
                 tool_choice={"type": "tool", "name": "advisor"})
    assert kinds(forced)[:2] == ["server_tool_use", "advisor_tool_result"]
    history = [{"role": "user", "content": "Plan the rollout"},
               {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in forced.content]},
               {"role": "user", "content": "Thanks, go ahead."}]
    after = client.beta.messages.create(model=MODEL, max_tokens=1024, messages=history, tools=[ADVISOR],
                                        betas=[ADVISOR_BETA])
    assert kinds(after) == ["text"] and after.stop_reason == "end_turn"

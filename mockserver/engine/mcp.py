"""The MCP connector: tools of remote MCP servers (`mcp_servers`) that the API calls itself.

A server's tools are, in order of precedence: the `tools` pinned on its `mcp_toolset`, the
listing an earlier assistant turn returned (`mcp_tool_listing`), `tool_configuration.allowed_tools`
(mcp-client-2025-04-04), or what the mock's servers list: `search` (query) and `fetch` (id).
`default_config`/`configs` (and `tool_configuration.enabled`) switch tools off.

Trigger (tool_choice auto or any): the last user turn names a server (every content word of its
name) or one of its tools (as client tools are mentioned), or shares a content word with a
tool's description or parameters (relevance.py). The reply then calls the named tool, or
the server's first tool, as an `mcp_tool_use` block followed by its `mcp_tool_result`. Under the
`mcp-client-2026-09-15` beta a server whose tools were neither pinned nor listed before is listed
first, in an `mcp_tool_listing` block, as the API does when it fetched the listing.

A request is refused (400) when two servers share a name, or an `mcp_toolset` names a server that
`mcp_servers` does not define, or two toolsets name the same server.
"""

from __future__ import annotations

import random
from typing import Any

from ..http.errors import invalid_request
from ..ids import new_id
from . import prose, relevance, tools
from .conversation import Conversation
from .drafts import CALL, RESULT, Draft

LISTING_BETA = "mcp-client-2026-09-15"
_QUERY = {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
DUPLICATE_SERVER = "mcp_servers.{i}.name: MCP server names must be unique, '{name}' is used more than once"
UNKNOWN_SERVER = "tools.{i}.mcp_server_name: MCP server '{name}' is not defined in `mcp_servers`"
DUPLICATE_TOOLSET = "tools.{i}.mcp_server_name: MCP server '{name}' is configured by more than one `mcp_toolset`"
DEFAULT_TOOLS = (
    {"name": "search", "description": "Search the server's records.", "input_schema": _QUERY},
    {"name": "fetch", "description": "Fetch one record by id.",
     "input_schema": {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}},
)


def check(request: dict[str, Any]) -> None:
    names: set[str] = set()
    for i, server in enumerate(request.get("mcp_servers") or ()):
        name = server.get("name") if isinstance(server, dict) else None
        if name in names:
            raise invalid_request(DUPLICATE_SERVER.format(i=i, name=name))
        names.add(name)
    configured: set[str] = set()
    for i, tool in enumerate(request.get("tools") or ()):
        if not isinstance(tool, dict) or tool.get("type") != "mcp_toolset":
            continue
        name = tool.get("mcp_server_name")
        if name not in names:
            raise invalid_request(UNKNOWN_SERVER.format(i=i, name=name))
        if name in configured:
            raise invalid_request(DUPLICATE_TOOLSET.format(i=i, name=name))
        configured.add(name)


def run(convo: Conversation, betas: frozenset[str], rng: random.Random) -> list[Draft]:
    servers = convo.request.get("mcp_servers")
    if not servers or not _may_call(convo):
        return []
    drafts: list[Draft] = []
    for server in servers:
        if not isinstance(server, dict):
            continue
        drafts += _server_drafts(server, convo, betas, rng)
    return drafts


def _may_call(convo: Conversation) -> bool:
    kind = (convo.request.get("tool_choice") or {}).get("type", "auto")
    return kind in ("auto", "any") and not convo.answers_tools


def _server_drafts(server: dict[str, Any], convo: Conversation, betas: frozenset[str],
                   rng: random.Random) -> list[Draft]:
    name = server.get("name") or ""
    toolset = _toolset(convo, name)
    pinned, listed = (toolset or {}).get("tools"), _earlier_listing(convo, name)
    listing = pinned or listed or _offered(server)
    enabled = [t for t in listing if _enabled(t.get("name", ""), server, toolset)]
    chosen = _chosen(enabled, name, convo)
    if chosen is None:
        return []
    drafts = []
    if LISTING_BETA in betas and toolset is not None and not pinned and not listed:
        drafts.append(Draft(RESULT, {"type": "mcp_tool_listing", "mcp_server_name": name,
                                     "tools": [_listed(t) for t in listing]}, 0))
    return drafts + _call(chosen, name, convo, rng)


def _toolset(convo: Conversation, server_name: str) -> dict[str, Any] | None:
    return next((t for t in convo.tools() if t.get("type") == "mcp_toolset"
                 and t.get("mcp_server_name") == server_name), None)


def _earlier_listing(convo: Conversation, server_name: str) -> list[dict[str, Any]] | None:
    for role, items in reversed(convo.turns):
        for block in items if role == "assistant" else ():
            if isinstance(block, dict) and block.get("type") == "mcp_tool_listing" \
                    and block.get("mcp_server_name") == server_name:
                return block.get("tools") or []
    return None


def _offered(server: dict[str, Any]) -> list[dict[str, Any]]:
    allowed = (server.get("tool_configuration") or {}).get("allowed_tools")
    if allowed:
        return [{"name": n, "description": None, "input_schema": _QUERY} for n in allowed]
    return [dict(t) for t in DEFAULT_TOOLS]


def _enabled(tool_name: str, server: dict[str, Any], toolset: dict[str, Any] | None) -> bool:
    if (server.get("tool_configuration") or {}).get("enabled") is False:
        return False
    if toolset is None:
        return True
    override = ((toolset.get("configs") or {}).get(tool_name) or {}).get("enabled")
    if override is not None:
        return bool(override)
    return (toolset.get("default_config") or {}).get("enabled") is not False


def _chosen(enabled: list[dict[str, Any]], server_name: str, convo: Conversation) -> dict[str, Any] | None:
    named = [t for t in enabled if tools.mentions({"name": t.get("name", "")}, convo)]
    if named:
        return named[0]
    topical = [t for t in enabled if t.get("description") and relevance.is_about(t, convo.last_user_text)]
    if topical:
        return topical[0]
    if enabled and tools.mentions({"name": server_name}, convo):
        return enabled[0]
    return None


def _listed(tool: dict[str, Any]) -> dict[str, Any]:
    return {"name": tool.get("name", ""), "description": tool.get("description"),
            "input_schema": tool.get("input_schema") or {"type": "object"}}


def _call(tool: dict[str, Any], server_name: str, convo: Conversation, rng: random.Random) -> list[Draft]:
    arguments = tools.tool_input({"name": tool.get("name"), "input_schema": tool.get("input_schema")},
                                 rng, convo.last_user_text)
    use = {"type": "mcp_tool_use", "id": new_id("mcptoolu_", rng), "name": tool.get("name", ""),
           "server_name": server_name, "input": arguments}
    text = f"{server_name}/{use['name']}: {prose.sentence(rng)}"
    result = {"type": "mcp_tool_result", "tool_use_id": use["id"], "is_error": False,
              "content": [{"type": "text", "text": text, "citations": None}]}
    return [Draft(CALL, use, tools.call_tokens(use)), Draft(RESULT, result, 0)]

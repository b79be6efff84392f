"""Organizations whose URL fetching Anthropic turned off: the API refuses URL image and document sources,
the `web_fetch` tool and `mcp_servers` with a 400 `organization_url_fetch_disabled`.

The mock's trigger is the organization's key: an API key that contains `url-fetch-disabled` stands for such
an organization (any key is accepted unless `--api-key` locks the server, so a test picks one freely).
"""

from __future__ import annotations

from typing import Any

from ..http.errors import ApiError

KEY_MARKER = "url-fetch-disabled"
_MESSAGE = ("URL sources, the web_fetch tool and MCP servers are disabled for this organization, so the request "
            "cannot use {what}.")


def check_url_fetch_allowed(api_key: str, body: dict[str, Any]) -> None:
    if KEY_MARKER not in api_key:
        return
    what = _url_feature(body)
    if what is not None:
        raise ApiError("invalid_request_error", _MESSAGE.format(what=what),
                       details={"error_code": "organization_url_fetch_disabled"})


def _url_feature(body: dict[str, Any]) -> str | None:
    if body.get("mcp_servers"):
        return "mcp_servers"
    for tool in body.get("tools") or ():
        if isinstance(tool, dict) and str(tool.get("type", "")).startswith("web_fetch"):
            return "the web_fetch tool"
    for message in body.get("messages") or ():
        content = message.get("content") if isinstance(message, dict) else None
        for block in content if isinstance(content, list) else ():
            source = block.get("source") if isinstance(block, dict) else None
            if isinstance(source, dict) and source.get("type") == "url":
                return f"a URL {block.get('type', 'content')} source"
    return None

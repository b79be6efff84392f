"""What one served Messages call adds to the usage ledger, in the API's terms.

The store sums plain rows; this module knows the Message's `usage` fields, the context-window
bands and what an API key record that traffic created looks like.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..store import Store

LONG_CONTEXT = 200_000  # input tokens above which a call counts in the long-context band


def record_message_usage(store: Store, *, model: str, usage: Mapping[str, Any], at: float,
                         api_key: str | None = None, api_key_id: str | None = None,
                         workspace_id: str | None = None, service_tier: str | None = None) -> None:
    """Count one served Messages call in the usage and cost reports.

    The raw `api_key` maps to a stable `apikey_...` id (created on first sight), or pass its
    `api_key_id`; the workspace is `workspace_id`, else the key's own.
    """
    key_id, key_workspace = api_key_of(store, api_key, at) if api_key else (api_key_id, None)
    tier, window, geo, speed, *measures = usage_row(usage, service_tier)
    store.record_usage(at, (key_id, workspace_id or key_workspace, model, tier, window, geo, speed), measures)


def api_key_of(store: Store, raw_key: str, now: float) -> tuple[str, str | None]:
    """(`apikey_...` id, workspace id) of the key a request was sent with."""
    return store.api_key_id(raw_key, now, traffic_key)


def usage_row(usage: Mapping[str, Any], service_tier: str | None = None) -> tuple[Any, ...]:
    """The ledger's service tier, context window, geo and speed, then its measures, from a `usage` object."""
    creation = usage.get("cache_creation") or {}
    if creation:
        five, hour = _number(creation.get("ephemeral_5m_input_tokens")), _number(creation.get("ephemeral_1h_input_tokens"))
    else:
        five, hour = _number(usage.get("cache_creation_input_tokens")), 0
    uncached, cached = _number(usage.get("input_tokens")), _number(usage.get("cache_read_input_tokens"))
    window = "200k-1M" if uncached + cached + five + hour > LONG_CONTEXT else "0-200k"
    tools = usage.get("server_tool_use")
    searches = _number(tools.get("web_search_requests")) if tools else 0
    return (service_tier or usage.get("service_tier") or "standard", window, usage.get("inference_geo"),
            usage.get("speed"), uncached, cached, five, hour, _number(usage.get("output_tokens")), searches)


def traffic_key(raw_key: str, now: float) -> dict[str, Any]:
    """The API key record made for a key the mock first sees in traffic."""
    hint = partial_hint(raw_key)
    return {"name": f"Key {hint}", "created_at": now, "partial_key_hint": hint, "status": "active",
            "workspace_id": None, "created_by": None, "principal": None, "expires_at": None}


def partial_hint(raw_key: str) -> str:
    """`sk-ant-api03-R2D...igAA`: enough of a key to recognise it, not enough to use it."""
    shown = min(16, len(raw_key) // 2)
    return f"{raw_key[:shown]}...{raw_key[-4:]}" if len(raw_key) >= 12 else f"{raw_key[:4]}..."


def _number(value: Any) -> int:
    return value if isinstance(value, int) else 0

"""Usage reports computed from the Messages traffic this mock served (see `Store.record_usage`).

Two routes: the Admin API's `usage_report/messages` and the newer `analytics/usage_report`. Rows are
grouped by the requested dimensions; a dimension the mock does not track (accounts, products,
Slack...) is always null, and a filter on it matches nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from ..call import Call
from ..http.replies import JsonReply, Reply
from .report_window import ANALYTICS_LIMITS, MAX_ANALYTICS_SPAN, Window, window
from .services import catalog_of, store_of
from .stamps import rfc3339

if TYPE_CHECKING:
    from ..state import AppState

LEGACY_DIMENSIONS = ("api_key_id", "workspace_id", "model", "service_tier", "context_window", "inference_geo",
                     "speed", "account_id", "service_account_id")
ANALYTICS_DIMENSIONS = ("context_window", "inference_geo", "model", "speed", "product", "rbac_group_id",
                        "claude_tag_category", "claude_tag_user_id", "slack_channel_id")
LEGACY_FILTERS = {"api_key_ids": "api_key_id", "workspace_ids": "workspace_id", "models": "model",
                  "service_tiers": "service_tier", "context_window": "context_window",
                  "inference_geos": "inference_geo", "speeds": "speed"}
ANALYTICS_FILTERS = {"models": "model", "context_windows": "context_window", "inference_geos": "inference_geo",
                     "speeds": "speed"}
UNTRACKED_LEGACY_FILTERS = ("account_ids", "service_account_ids")
UNTRACKED_ANALYTICS_FILTERS = ("products", "user_ids", "rbac_group_ids", "claude_tag_categories",
                               "claude_tag_user_ids", "slack_channel_ids")


def handlers(state: AppState) -> dict[str, Any]:
    return {"usage_report_messages": messages_usage, "analytics_usage_report": analytics_usage}


def messages_usage(call: Call) -> Reply:
    span = window(call.query, call.received_at)
    rows = usage_rows(call, span, LEGACY_FILTERS, UNTRACKED_LEGACY_FILTERS)
    grouped = set(call.query.get("group_by") or ())
    data = _buckets(span, rows, lambda row: {**tokens(row), **dimensions(row, LEGACY_DIMENSIONS, grouped)})
    return JsonReply(span.envelope(data))


def analytics_usage(call: Call) -> Reply:
    span = window(call.query, call.received_at, limits=ANALYTICS_LIMITS, max_span=MAX_ANALYTICS_SPAN)
    rows = usage_rows(call, span, ANALYTICS_FILTERS, UNTRACKED_ANALYTICS_FILTERS)
    grouped = set(call.query.get("group_by") or ())
    data = _buckets(span, rows, lambda row: {**tokens(row), "requests": row["requests"],
                                             **dimensions(row, ANALYTICS_DIMENSIONS, grouped)})
    return JsonReply({**span.envelope(data), "data_refreshed_at": rfc3339(call.received_at)})


def usage_rows(call: Call, span: Window, filters: Mapping[str, str], untracked: tuple[str, ...],
               extra_dimensions: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Store totals for the page's buckets, grouped by the requested (tracked) dimensions."""
    query = call.query
    where: dict[str, list[str | None]] = {}
    for name, column in filters.items():
        if query.get(name):
            where[column] = _filter_values(call, column, query[name])
    if any(query.get(name) for name in untracked):
        where["model"] = []  # no usage is attributed to these dimensions
    group_by = [*dict.fromkeys([*(query.get("group_by") or ()), *extra_dimensions])]
    return store_of(call).usage_totals(start=span.start, end=span.end, width=span.width, group_by=group_by,
                                       where=where)


def tokens(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "uncached_input_tokens": row["uncached_input_tokens"],
        "cache_read_input_tokens": row["cache_read_input_tokens"],
        "cache_creation": {"ephemeral_1h_input_tokens": row["cache_creation_1h_input_tokens"],
                           "ephemeral_5m_input_tokens": row["cache_creation_5m_input_tokens"]},
        "output_tokens": row["output_tokens"],
        "server_tool_use": {"web_search_requests": row["web_search_requests"]},
    }


def dimensions(row: Mapping[str, Any], names: tuple[str, ...], grouped: set[str]) -> dict[str, Any]:
    return {name: row.get(name) if name in grouped else None for name in names}


def _buckets(span: Window, rows: list[dict[str, Any]], render) -> list[dict[str, Any]]:
    by_bucket: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_bucket.setdefault(row["bucket"], []).append(render(row))
    return [{**span.bounds(bucket), "results": by_bucket.get(bucket, [])} for bucket in span.buckets]


def _filter_values(call: Call, column: str, values: list[str]) -> list[str | None]:
    if column == "inference_geo":
        return [None if value == "not_available" else value for value in values]
    if column == "model":
        catalog = catalog_of(call)
        resolved = [entry.id for entry in map(catalog.resolve, values) if entry is not None]
        return [*dict.fromkeys([*values, *resolved])]
    return list(values)

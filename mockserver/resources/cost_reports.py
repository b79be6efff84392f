"""Cost reports: the served usage priced with `pricing` (amounts are decimal strings in cents).

`cost_report` is the Admin API's daily report (group by workspace and/or description); the newer
`analytics/cost_report` groups by cost type, token type, model and the other analytics dimensions and
also reports the list (pre-discount) amount.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterator

from ..call import Call
from ..catalog import Catalog
from ..http.replies import JsonReply, Reply
from .pricing import WEB_SEARCH_CENTS, cents, cents_per_token, discount
from .report_window import ANALYTICS_LIMITS, MAX_ANALYTICS_SPAN, Window, window
from .services import catalog_of
from .stamps import rfc3339
from .usage_reports import ANALYTICS_DIMENSIONS, ANALYTICS_FILTERS, UNTRACKED_ANALYTICS_FILTERS, usage_rows

if TYPE_CHECKING:
    from ..state import AppState

TOKEN_COLUMNS = {
    "uncached_input_tokens": "uncached_input_tokens",
    "cache_read_input_tokens": "cache_read_input_tokens",
    "cache_creation.ephemeral_5m_input_tokens": "cache_creation_5m_input_tokens",
    "cache_creation.ephemeral_1h_input_tokens": "cache_creation_1h_input_tokens",
    "output_tokens": "output_tokens",
}
TOKEN_LABELS = {
    "uncached_input_tokens": "Input Tokens",
    "cache_read_input_tokens": "Cache Read Input Tokens",
    "cache_creation.ephemeral_5m_input_tokens": "5m Cache Write Input Tokens",
    "cache_creation.ephemeral_1h_input_tokens": "1h Cache Write Input Tokens",
    "output_tokens": "Output Tokens",
}
PRICING_DIMENSIONS = ("model", "service_tier", "context_window")
_SPLITS = ("cost_type", "token_type")


def handlers(state: AppState) -> dict[str, Any]:
    return {"cost_report": cost_report, "analytics_cost_report": analytics_cost_report}


def cost_report(call: Call) -> Reply:
    span = window(call.query, call.received_at, limits={"1d": (7, 31)})
    grouped = set(call.query.get("group_by") or ())
    extra = (*PRICING_DIMENSIONS, *(("workspace_id",) if "workspace_id" in grouped else ()))
    rows = usage_rows(call, span, {}, (), extra_dimensions=extra)
    if "description" in grouped:
        keys = ("workspace_id", "model", "service_tier", "context_window", "cost_type", "token_type")
    else:
        keys = ("workspace_id",)
    totals = _totals(charges(rows, catalog_of(call)), keys, grouped | {"cost_type", "token_type", "model",
                                                                        "service_tier", "context_window"})

    def render(key: dict[str, Any], amount: Decimal, _: Decimal, __: int) -> dict[str, Any]:
        detailed = "description" in grouped
        return {
            "amount": cents(amount), "currency": "USD",
            "workspace_id": key["workspace_id"] if "workspace_id" in grouped else None,
            "description": _description(call, key) if detailed else None,
            "cost_type": key["cost_type"] if detailed else None,
            "model": key["model"] if detailed else None,
            "service_tier": key["service_tier"] if detailed else None,
            "context_window": key["context_window"] if detailed else None,
            "token_type": key["token_type"] if detailed else None,
            "inference_geo": None,
        }

    return JsonReply(span.envelope(_buckets(span, totals, render)))


def analytics_cost_report(call: Call) -> Reply:
    span = window(call.query, call.received_at, limits=ANALYTICS_LIMITS, max_span=MAX_ANALYTICS_SPAN)
    grouped = set(call.query.get("group_by") or ())
    rows = usage_rows(call, span, ANALYTICS_FILTERS, UNTRACKED_ANALYTICS_FILTERS, extra_dimensions=PRICING_DIMENSIONS)
    keys = tuple(name for name in (*ANALYTICS_DIMENSIONS, *_SPLITS) if name in grouped)
    totals = _totals(charges(rows, catalog_of(call)), keys, grouped)
    split = bool(grouped & set(_SPLITS))

    def render(key: dict[str, Any], amount: Decimal, list_amount: Decimal, requests: int) -> dict[str, Any]:
        return {"amount": cents(amount), "list_amount": cents(list_amount), "currency": "USD",
                "requests": None if split else requests,
                **{name: key.get(name) for name in (*ANALYTICS_DIMENSIONS, *_SPLITS)}}

    data = _buckets(span, totals, render)
    return JsonReply({**span.envelope(data), "data_refreshed_at": rfc3339(call.received_at)})


def charges(rows: list[dict[str, Any]], catalog: Catalog) -> Iterator[dict[str, Any]]:
    """One priced component per usage row and token type (plus web searches): list and net cents."""
    for row in rows:
        model, tier, window_name = row.get("model"), row.get("service_tier"), row.get("context_window")
        off = discount(tier)
        first = True
        for token_type, column in TOKEN_COLUMNS.items():
            if row[column]:
                price = cents_per_token(catalog, model or "", token_type, window_name or "0-200k")
                yield _charge(row, "tokens", token_type, price * row[column], off, row["requests"] if first else 0)
                first = False
        if row["web_search_requests"]:
            yield _charge(row, "web_search", None, WEB_SEARCH_CENTS * row["web_search_requests"], Decimal(1),
                          row["requests"] if first else 0)


def _charge(row: dict[str, Any], cost_type: str, token_type: str | None, list_cents: Decimal, off: Decimal,
            requests: int) -> dict[str, Any]:
    return {**row, "cost_type": cost_type, "token_type": token_type, "list_amount": list_cents,
            "amount": list_cents * off, "requests": requests}


def _totals(items: Iterator[dict[str, Any]], keys: tuple[str, ...],
            grouped: set[str]) -> dict[int, dict[tuple, list[Any]]]:
    """bucket -> group key -> [key fields, amount, list amount, requests]."""
    totals: dict[int, dict[tuple, list[Any]]] = {}
    for item in items:
        fields = {name: item.get(name) if name in grouped else None for name in keys}
        entry = totals.setdefault(item["bucket"], {}).setdefault(
            tuple(fields.values()), [fields, Decimal(0), Decimal(0), 0])
        entry[1] += item["amount"]
        entry[2] += item["list_amount"]
        entry[3] += item["requests"]
    return totals


def _buckets(span: Window, totals: dict[int, dict[tuple, list[Any]]], render) -> list[dict[str, Any]]:
    return [{**span.bounds(bucket), "results": [render(*entry) for entry in totals.get(bucket, {}).values()]}
            for bucket in span.buckets]


def _description(call: Call, key: dict[str, Any]) -> str:
    if key["cost_type"] == "web_search":
        return "Web Search"
    entry = catalog_of(call).resolve(key["model"] or "")
    name = entry.display_name if entry else key["model"]
    return f"{name} Usage - {TOKEN_LABELS[key['token_type']]}"


"""The Claude Code usage report: per-actor daily records grown from the seed's baselines.

Every day from the seed's `since` until yesterday (UTC) has one record per actor; its numbers vary
around the actor's baseline, the same way for the same `--seed`.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.errors import invalid_request
from ..http.replies import JsonReply, Reply
from .admin_seed import DAY, load_seed
from .paging import decode_token, encode_token
from .pricing import cents_per_token
from .services import catalog_of
from .stamps import parse_day, rfc3339_seconds

if TYPE_CHECKING:
    from ..state import AppState

DEFAULT_LIMIT, MAX_LIMIT = 20, 1000
TOOLS = ("edit_tool", "multi_edit_tool", "write_tool", "notebook_edit_tool")


def handlers(state: AppState) -> dict[str, Any]:
    return {"usage_report_claude_code": claude_code_report}


def claude_code_report(call: Call) -> Reply:
    query = call.query
    if "starting_at" not in query:
        raise invalid_request("starting_at: Field required")
    day = parse_day("starting_at", query["starting_at"])
    limit = query.get("limit") or DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid_request(f"limit: must be between 1 and {MAX_LIMIT}")
    records = day_records(call, day)
    offset = decode_token(query["page"]) if query.get("page") else 0
    page = records[offset:offset + limit]
    more = offset + limit < len(records)
    return JsonReply({"data": page, "has_more": more, "next_page": encode_token(offset + limit) if more else None})


def day_records(call: Call, day: float) -> list[dict[str, Any]]:
    settings = load_seed().get("claude_code") or {}
    since = parse_day("since", str(settings.get("since", "2026-01-01")))
    today = call.received_at - call.received_at % DAY
    if not since <= day < today:
        return []
    return [_record(call, settings, actor, day) for actor in settings.get("actors", ())]


def _record(call: Call, settings: dict[str, Any], actor: dict[str, Any], day: float) -> dict[str, Any]:
    who = actor.get("email_address") or actor.get("api_key_name")
    rng = random.Random(f"{call.state.config.seed}:claude-code:{day}:{who}")

    def vary(value: int) -> int:
        return max(0, round(value * rng.uniform(0.5, 1.5)))

    input_tokens, output_tokens = vary(actor["input_tokens"]), vary(actor["output_tokens"])
    cache_read, cache_creation = vary(actor["input_tokens"] * 3), vary(actor["input_tokens"] // 4)
    if actor["type"] == "user_actor":
        identity = {"type": "user_actor", "email_address": actor["email_address"]}
    else:
        identity = {"type": "api_actor", "api_key_name": actor["api_key_name"]}
    return {
        "date": rfc3339_seconds(day),
        "organization_id": call.state.config.organization_id,
        "customer_type": actor["customer_type"],
        "subscription_type": actor.get("subscription_type"),
        "terminal_type": rng.choice(settings.get("terminal_types") or ["vscode"]),
        "is_remote": rng.random() < 0.2,
        "actor": identity,
        "core_metrics": {
            "num_sessions": vary(actor["sessions"]),
            "lines_of_code": {"added": vary(actor["lines_added"]), "removed": vary(actor["lines_removed"])},
            "commits_by_claude_code": vary(actor["commits"]),
            "pull_requests_by_claude_code": vary(actor["pull_requests"]),
        },
        "tool_actions": {tool: {"accepted": vary(12), "rejected": vary(2)} for tool in TOOLS},
        "model_breakdown": [{
            "model": actor["model"],
            "tokens": {"input": input_tokens, "output": output_tokens, "cache_read": cache_read,
                       "cache_creation": cache_creation},
            "estimated_cost": {"amount": _cost(call, actor["model"], input_tokens, output_tokens, cache_read,
                                               cache_creation), "currency": "USD"},
        }],
    }


def _cost(call: Call, model: str, uncached: int, output: int, cache_read: int, cache_creation: int) -> float:
    catalog = catalog_of(call)
    parts = (("uncached_input_tokens", uncached), ("output_tokens", output), ("cache_read_input_tokens", cache_read),
             ("cache_creation.ephemeral_5m_input_tokens", cache_creation))
    total = sum(cents_per_token(catalog, model, kind, "0-200k") * count for kind, count in parts)
    return round(float(total), 2)

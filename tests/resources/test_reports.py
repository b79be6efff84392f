"""Usage and cost reports from recorded traffic, and the seeded Claude Code report."""

from __future__ import annotations

from decimal import Decimal

from mockserver.resources.usage_ledger import record_message_usage

from ..helpers import KEY, assert_api_error
from .conftest import app_store

DAY = 86400
START = 1_795_000_000 - 1_795_000_000 % DAY  # a UTC midnight in November 2026
START_TEXT = "2026-11-18T00:00:00Z"
SONNET = "claude-sonnet-4-5-20250929"
HAIKU = "claude-haiku-4-5-20251001"


def usage(input_tokens, output_tokens, cache_read=0, cache_5m=0, cache_1h=0, searches=0):
    return {"input_tokens": input_tokens, "output_tokens": output_tokens, "cache_read_input_tokens": cache_read,
            "cache_creation_input_tokens": cache_5m + cache_1h,
            "cache_creation": {"ephemeral_5m_input_tokens": cache_5m, "ephemeral_1h_input_tokens": cache_1h},
            "server_tool_use": {"web_search_requests": searches}, "service_tier": "standard"}


def seed_traffic(store):
    """Six messages over two days, two models, two keys."""
    traffic = [
        (START + 10, SONNET, KEY, usage(100, 20, cache_read=50, cache_5m=10)),
        (START + 3600, SONNET, KEY, usage(200, 40, cache_1h=5, searches=2)),
        (START + 7200, HAIKU, "sk-ant-api03-mock-production-key-0001", usage(300, 60)),
        (START + DAY + 5, SONNET, KEY, usage(400, 80)),
        (START + DAY + 60, HAIKU, KEY, usage(500, 100)),
        (START + DAY + 120, HAIKU, KEY, usage(600, 120)),
    ]
    for at, model, key, used in traffic:
        record_message_usage(store, model=model, usage=used, at=at, api_key=key)
    return traffic


def report(client, path, admin_headers, **params):
    response = client.get(path, params={"starting_at": START_TEXT, **params}, headers=admin_headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_usage_report_sums_equal_the_recorded_tokens(client, admin_headers):
    traffic = seed_traffic(app_store(client))
    body = report(client, "/v1/organizations/usage_report/messages", admin_headers, ending_at="2026-11-20T00:00:00Z")
    assert [b["starting_at"] for b in body["data"]] == [START_TEXT, "2026-11-19T00:00:00Z"]
    assert body["has_more"] is False and body["next_page"] is None
    rows = [row for bucket in body["data"] for row in bucket["results"]]
    assert len(rows) == 2
    assert sum(r["uncached_input_tokens"] for r in rows) == sum(t[3]["input_tokens"] for t in traffic)
    assert sum(r["output_tokens"] for r in rows) == sum(t[3]["output_tokens"] for t in traffic)
    first = body["data"][0]["results"][0]
    assert first["cache_read_input_tokens"] == 50
    assert first["cache_creation"] == {"ephemeral_1h_input_tokens": 5, "ephemeral_5m_input_tokens": 10}
    assert first["server_tool_use"] == {"web_search_requests": 2}
    assert first["model"] is None and first["api_key_id"] is None


def test_usage_report_groups_filters_and_buckets(client, admin_headers):
    seed_traffic(app_store(client))
    path = "/v1/organizations/usage_report/messages"
    grouped = report(client, path, admin_headers, ending_at="2026-11-19T00:00:00Z",
                     **{"group_by[]": ["model", "api_key_id"]})
    rows = grouped["data"][0]["results"]
    test_key = next(r["api_key_id"] for r in rows if r["model"] == SONNET)
    assert test_key.startswith("apikey_")
    assert {(r["model"], r["api_key_id"]) for r in rows} == {
        (SONNET, test_key), (HAIKU, "apikey_011CTkBis8XnWxAqPRR5JLGV")}
    assert next(r for r in rows if r["model"] == HAIKU)["workspace_id"] is None  # not grouped by workspace

    only_haiku = report(client, path, admin_headers, ending_at="2026-11-20T00:00:00Z",
                        **{"models[]": "claude-haiku-4-5"})
    assert [sum(r["uncached_input_tokens"] for r in b["results"]) for b in only_haiku["data"]] == [300, 1100]
    by_workspace = report(client, path, admin_headers, ending_at="2026-11-19T00:00:00Z",
                          **{"workspace_ids[]": "wrkspc_011CW5fwnvJQoXC17t3MMm2W"})
    assert by_workspace["data"][0]["results"][0]["uncached_input_tokens"] == 300

    hourly = report(client, path, admin_headers, bucket_width="1h", limit=3)
    assert len(hourly["data"]) == 3 and hourly["has_more"] is True
    assert [b["results"][0]["uncached_input_tokens"] if b["results"] else 0 for b in hourly["data"]] == [100, 200, 300]
    following = client.get(path, params={"starting_at": START_TEXT, "bucket_width": "1h", "limit": 3,
                                         "page": hourly["next_page"]}, headers=admin_headers).json()
    assert following["data"][0]["starting_at"] == "2026-11-18T03:00:00Z"
    too_many = client.get(path, params={"starting_at": START_TEXT, "limit": 32}, headers=admin_headers)
    assert_api_error(too_many, 400, "invalid_request_error")


def test_analytics_usage_report(client, admin_headers):
    seed_traffic(app_store(client))
    body = report(client, "/v1/organizations/analytics/usage_report", admin_headers,
                  ending_at="2026-11-20T00:00:00Z", **{"group_by[]": "model"})
    day_two = {r["model"]: r for r in body["data"][1]["results"]}
    assert day_two[HAIKU]["requests"] == 2 and day_two[HAIKU]["output_tokens"] == 220
    assert day_two[SONNET]["product"] is None and "data_refreshed_at" in body
    nothing = report(client, "/v1/organizations/analytics/usage_report", admin_headers,
                     ending_at="2026-11-20T00:00:00Z", **{"products[]": "chat"})
    assert all(b["results"] == [] for b in nothing["data"])
    too_long = client.get("/v1/organizations/analytics/usage_report",
                          params={"starting_at": "2026-09-01T00:00:00Z", "ending_at": "2026-11-01T00:00:00Z"},
                          headers=admin_headers)
    assert_api_error(too_long, 400, "invalid_request_error")


def test_cost_report_prices_the_usage(client, admin_headers):
    seed_traffic(app_store(client))
    total = report(client, "/v1/organizations/cost_report", admin_headers, ending_at="2026-11-19T00:00:00Z")
    (row,) = total["data"][0]["results"]
    # Sonnet: $3 in / $15 out per MTok, cache read 0.1x, 5m write 1.25x, 1h write 2x; web search 1 cent each.
    # Haiku: $1 / $5. Cents per token = USD per MTok / 10,000.
    sonnet = (Decimal(300) * 3 + Decimal(60) * 15 + Decimal(50) * 3 * Decimal("0.1") + Decimal(10) * 3 * Decimal("1.25")
              + Decimal(5) * 3 * 2) / 10000 + 2
    haiku = (Decimal(300) * 1 + Decimal(60) * 5) / 10000
    assert Decimal(row["amount"]) == sonnet + haiku
    assert row["currency"] == "USD" and row["description"] is None and row["model"] is None

    detailed = report(client, "/v1/organizations/cost_report", admin_headers, ending_at="2026-11-19T00:00:00Z",
                      **{"group_by[]": "description"})
    rows = detailed["data"][0]["results"]
    assert sum(Decimal(r["amount"]) for r in rows) == sonnet + haiku
    assert {r["description"] for r in rows} >= {"Claude Sonnet 4.5 Usage - Input Tokens", "Web Search"}
    assert {r["token_type"] for r in rows if r["cost_type"] == "tokens"} == {
        "uncached_input_tokens", "output_tokens", "cache_read_input_tokens",
        "cache_creation.ephemeral_5m_input_tokens", "cache_creation.ephemeral_1h_input_tokens"}


def test_analytics_cost_report_discounts_batches(client, admin_headers):
    store = app_store(client)
    record_message_usage(store, model=HAIKU, usage=usage(10_000, 1_000), at=START + 1, service_tier="batch")
    body = report(client, "/v1/organizations/analytics/cost_report", admin_headers, ending_at="2026-11-19T00:00:00Z",
                  **{"group_by[]": "token_type"})
    rows = {r["token_type"]: r for r in body["data"][0]["results"]}
    assert Decimal(rows["uncached_input_tokens"]["list_amount"]) == Decimal(1)
    assert Decimal(rows["uncached_input_tokens"]["amount"]) == Decimal("0.5")
    assert rows["output_tokens"]["requests"] is None


def test_claude_code_report(client, admin_headers):
    path = "/v1/organizations/usage_report/claude_code"
    body = client.get(path, params={"starting_at": "2026-11-20", "limit": 2}, headers=admin_headers).json()
    assert len(body["data"]) == 2 and body["has_more"] is True
    record = body["data"][0]
    assert record["date"] == "2026-11-20T00:00:00Z" and record["actor"]["type"] == "user_actor"
    assert record["model_breakdown"][0]["estimated_cost"]["currency"] == "USD"
    rest = client.get(path, params={"starting_at": "2026-11-20", "limit": 2, "page": body["next_page"]},
                      headers=admin_headers).json()
    assert len(rest["data"]) == 1 and rest["next_page"] is None
    again = client.get(path, params={"starting_at": "2026-11-20", "limit": 2}, headers=admin_headers).json()
    assert again == body
    assert client.get(path, params={"starting_at": "2030-01-01"}, headers=admin_headers).json()["data"] == []
    assert_api_error(client.get(path, params={"starting_at": "yesterday"}, headers=admin_headers),
                     400, "invalid_request_error")


def test_batch_results_count_as_batch_usage(client, api_headers, admin_headers):
    request = {"custom_id": "a", "params": {"model": "claude-haiku-4-5", "max_tokens": 8,
                                            "messages": [{"role": "user", "content": "Hi"}]}}
    batch = client.post("/v1/messages/batches", json={"requests": [request]}, headers=api_headers).json()
    line = client.get(f"/v1/messages/batches/{batch['id']}/results", headers=api_headers).json()
    tokens = line["result"]["message"]["usage"]
    body = client.get("/v1/organizations/usage_report/messages",
                      params={"starting_at": batch["created_at"], "bucket_width": "1d",
                              "group_by[]": "service_tier"}, headers=admin_headers).json()
    rows = [row for bucket in body["data"] for row in bucket["results"]]
    assert rows == [{**rows[0], "service_tier": "batch", "output_tokens": tokens["output_tokens"],
                     "uncached_input_tokens": tokens["input_tokens"]}]

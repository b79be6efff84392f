"""anthropic-ratelimit-* headers and token buckets: always reported, enforced with --rate-limit."""

from __future__ import annotations

import calendar
import time

import anthropic
import httpx
import pytest

from mockserver.config import Config
from mockserver.http.replies import JsonReply
from mockserver.ratelimit import Limits, MemoryBuckets, RateLimiter, parse_limits
from mockserver.server import MockServer

from ..helpers import KEY, MODEL, asgi_client, headers

ASK = {"model": MODEL, "max_tokens": 32, "messages": [{"role": "user", "content": "Hello there"}]}
FAMILY = [f"anthropic-ratelimit-{kind}-{part}" for kind in ("requests", "tokens", "input-tokens", "output-tokens")
          for part in ("limit", "remaining", "reset")]


def epoch(rfc3339: str) -> int:
    return calendar.timegm(time.strptime(rfc3339, "%Y-%m-%dT%H:%M:%SZ"))


def test_every_messages_response_carries_the_family():
    client = asgi_client()
    response = client.post("/v1/messages", json=ASK, headers=headers())
    assert response.status_code == 200
    assert all(name in response.headers for name in FAMILY)
    assert response.headers["anthropic-ratelimit-requests-limit"] == "1000"
    models = client.get("/v1/models", headers=headers())
    assert "anthropic-ratelimit-requests-limit" not in models.headers


def test_headers_can_be_left_out():
    response = asgi_client(rate_limit_headers=False).post("/v1/messages", json=ASK, headers=headers())
    assert "anthropic-ratelimit-requests-limit" not in response.headers


def test_remaining_counts_down_and_resets_in_the_future():
    client = asgi_client(rate_limits=("requests=50,input_tokens=100000,output_tokens=20000",))
    first = client.post("/v1/messages", json=ASK, headers=headers()).headers
    second = client.post("/v1/messages", json=ASK, headers=headers()).headers
    assert int(second["anthropic-ratelimit-requests-remaining"]) < int(first["anthropic-ratelimit-requests-remaining"])
    assert int(second["anthropic-ratelimit-input-tokens-remaining"]) < 100_000
    assert int(second["anthropic-ratelimit-output-tokens-remaining"]) < 20_000
    assert int(second["anthropic-ratelimit-tokens-remaining"]) == (
        int(second["anthropic-ratelimit-input-tokens-remaining"])
        + int(second["anthropic-ratelimit-output-tokens-remaining"]))
    assert epoch(second["anthropic-ratelimit-requests-reset"]) >= time.time() - 1
    assert second["anthropic-ratelimit-tokens-limit"] == "120000"


def test_a_burst_is_refused_then_recovers_after_the_reset():
    with MockServer(Config(rate_limits=("requests=3,window=1500ms",))) as server:
        client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
        statuses, refusal = [], None
        for _ in range(5):
            try:
                client.messages.create(**ASK)
                statuses.append(200)
            except anthropic.RateLimitError as error:
                statuses.append(429)
                refusal = refusal or error
        assert statuses[:3] == [200, 200, 200] and 429 in statuses[3:]
        assert refusal.type == "rate_limit_error"
        message = refusal.body["error"]["message"]
        assert "of 3 requests per 1.5 seconds" in message
        assert message.startswith("This request would exceed the rate limit for your organization (")
        wait = int(refusal.response.headers["retry-after"])
        assert wait == 1
        assert refusal.response.headers["anthropic-ratelimit-requests-remaining"] == "0"
        time.sleep(wait + 0.2)
        assert client.messages.create(**ASK).content
        # the SDK's own retry honours retry-after and gets through
        patient = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=3)
        for _ in range(3):
            patient.messages.create(**ASK)


def test_buckets_are_per_api_key_and_model():
    client = asgi_client(rate_limits=("requests=1,window=60s",))
    assert client.post("/v1/messages", json=ASK, headers=headers()).status_code == 200
    assert client.post("/v1/messages", json=ASK, headers=headers()).status_code == 429
    assert client.post("/v1/messages", json=ASK, headers=headers(key="sk-ant-api03-other")).status_code == 200
    other_model = {**ASK, "model": "claude-haiku-4-5"}
    assert client.post("/v1/messages", json=other_model, headers=headers()).status_code == 200


def test_token_buckets_refuse_with_the_api_wording():
    limiter = RateLimiter(parse_limits(("input_tokens=10,output_tokens=1000,window=60s",)), True,
                          MemoryBuckets(), "org-1", clock=lambda: 1000.0)
    big = {**ASK, "messages": [{"role": "user", "content": "word " * 40}]}
    refusal = limiter.admit(KEY, big, "2023-06-01")
    assert refusal is None  # a request larger than the bucket passes when the bucket is full
    limiter.stamp(KEY, big, JsonReply({"usage": {"input_tokens": 40, "output_tokens": 5}}), taken=True)
    refusal = limiter.admit(KEY, big, "2023-06-01")
    assert refusal is not None and refusal.status == 429
    assert "of 10 input tokens per minute" in refusal.message
    assert int(refusal.headers["retry-after"]) > 60  # 30 tokens of debt at 10 a minute


def test_refill_with_a_fake_clock():
    now = [0.0]
    limiter = RateLimiter([("*", Limits(requests=2, window=10))], True, MemoryBuckets(), "org", clock=lambda: now[0])
    assert limiter.admit(KEY, ASK, "v") is None
    assert limiter.admit(KEY, ASK, "v") is None
    assert limiter.admit(KEY, ASK, "v") is not None
    now[0] = 5.0  # half the window: one request back
    assert limiter.admit(KEY, ASK, "v") is None
    assert limiter.admit(KEY, ASK, "v") is not None


@pytest.mark.parametrize("spec, expected", [
    ("requests=5", ("*", Limits(requests=5))),
    ("claude-haiku-*:rpm=7,itpm=100,otpm=50,window=2s", ("claude-haiku-*", Limits(7, 100, 50, 2.0))),
    ("output-tokens=9,window=500ms", ("*", Limits(output_tokens=9, window=0.5))),
])
def test_parse_limits(spec, expected):
    assert parse_limits((spec,)) == [expected]


def test_model_specific_limits_win():
    limiter = RateLimiter(parse_limits(("requests=100", "claude-haiku-*:requests=2")), True, MemoryBuckets(), "o")
    assert limiter.limits_for("claude-haiku-4-5").requests == 2
    assert limiter.limits_for("claude-sonnet-4-6").requests == 100


def test_bad_limit_spec():
    with pytest.raises(ValueError):
        parse_limits(("requests=5,bananas=3",))


def test_rule_replies_carry_the_headers_too(mock):
    mock.fail_next(1, "overloaded_error")
    response = httpx.post(f"{mock.base_url}/v1/messages", json=ASK, headers={**headers(), **mock.headers})
    assert response.status_code == 529
    assert "anthropic-ratelimit-requests-remaining" in response.headers

"""Secrets never reach a cassette; configured body paths are redacted; --normalize makes a
re-recording give the same text; recorded errors (429 + retry-after, 529, 400) replay exactly."""

from __future__ import annotations

import anthropic
import pytest

from .support import BODY, SECRET, cassette_text, post, recorder, sdk, upstream

ADMIN_SECRET = "sk-ant-admin01-ADMIN-SECRET"


def test_no_key_cookie_or_redacted_path_is_ever_written(tmp_path):
    body = {**BODY, "metadata": {"user_id": "user-4711-private"}}
    with upstream() as real, recorder(tmp_path, real.base_url, "once", redact_paths=("$.metadata.user_id",)) as proxy:
        post(proxy, body, cookie="session=COOKIE-SECRET", authorization=f"Bearer {SECRET}")
        post(proxy, body,
             anthropic_admin_key=ADMIN_SECRET, x_api_key="sk-ant-api03-OTHER-SECRET")
        sdk(proxy).messages.create(**BODY)
        with sdk(proxy).messages.stream(**BODY) as stream:
            stream.until_done()
    text = cassette_text(tmp_path)
    for secret in (SECRET, "sk-ant-api03-OTHER-SECRET", ADMIN_SECRET, "COOKIE-SECRET", "user-4711-private"):
        assert secret not in text
    for header in ("x-api-key", "authorization", "anthropic-admin-key", "cookie"):
        assert f"{header}:" not in text
    assert "user_id: <redacted>" in text
    # Matching still uses the request as sent: the redacted value replays.
    with recorder(tmp_path, None, "none", redact_paths=("$.metadata.user_id",),
                  match_ignore=("$.metadata.user_id",)) as replayer:
        assert post(replayer, body).status_code == 200


def test_normalize_gives_the_same_cassette_when_re_recorded(tmp_path):
    settings = {"normalize": ("ids", "dates")}
    texts = []
    for seed in (11, 11):
        folder = tmp_path / f"run{len(texts)}"
        with upstream(seed=seed) as real, recorder(folder, real.base_url, "once", **settings) as proxy:
            client = sdk(proxy)
            created = client.messages.create(**BODY)
            batch = client.messages.batches.create(requests=[{"custom_id": "a", "params": BODY}])
            client.messages.batches.retrieve(batch.id)
        texts.append(cassette_text(folder).replace(str(folder), ""))
    assert created.id.startswith("msg_") and "normalized" not in created.id  # the client saw the real ids
    text = texts[0]
    assert "msg_normalized000001" in text and "req_normalized" in text
    assert "/v1/messages/batches/msgbatch_normalized" in text  # the URI follows the body's placeholder
    assert "2000-01-01T00:00:00Z" in text
    # Different servers, different real ids and times; the same cassette text (except the upstream URL).
    assert _without_upstream(texts[0]) == _without_upstream(texts[1])


def _without_upstream(text: str) -> list[str]:
    return [line for line in text.splitlines() if "127.0.0.1" not in line]


@pytest.mark.parametrize("headers, status, error_type", [
    ({"x_mock_error": "rate_limit_error", "x_mock_retry_after": "7"}, 429, "rate_limit_error"),
    ({"x_mock_error": "overloaded_error"}, 529, "overloaded_error"),
    ({"x_mock_error": "invalid_request_error", "x_mock_error_message": "max_tokens: too large"}, 400,
     "invalid_request_error"),
])
def test_recorded_errors_replay_exactly(tmp_path, headers, status, error_type):
    with upstream() as real, recorder(tmp_path, real.base_url, "once") as proxy:
        live = post(proxy, **headers)
    assert live.status_code == status
    with recorder(tmp_path, None, "none") as replayer:
        again = post(replayer)  # no trigger header now: the recording answers
    assert again.status_code == status
    assert again.headers.get("retry-after") == live.headers.get("retry-after")
    assert again.headers.get("x-should-retry") == live.headers.get("x-should-retry")
    replayed = again.json()
    # The envelope names this response's request id; everything else is the recorded bytes.
    assert replayed["request_id"] == again.headers["request-id"] != live.headers["request-id"]
    assert again.content.replace(again.headers["request-id"].encode(), live.headers["request-id"].encode()) \
        == live.content
    assert replayed["error"]["type"] == error_type


def test_a_recorded_rate_limit_drives_the_sdk_retry_as_it_did_live(tmp_path):
    with upstream() as real, recorder(tmp_path, real.base_url, "once") as proxy:
        client = anthropic.Anthropic(base_url=proxy.base_url, api_key=SECRET, max_retries=0)
        with pytest.raises(anthropic.RateLimitError):
            client.messages.create(**BODY, extra_headers={"x-mock-error": "rate_limit_error",
                                                          "x-mock-retry-after": "0"})
        client.messages.create(**BODY)
    with recorder(tmp_path, None, "none") as replayer:
        retried = anthropic.Anthropic(base_url=replayer.base_url, api_key="k", max_retries=1)
        assert retried.messages.create(**BODY).type == "message"  # 429 first, then the recorded success


def test_custom_normalize_rules_number_each_distinct_value_and_keep_groups():
    from mockserver.recording.redaction import Normalizer

    counters: dict[str, int] = {}
    normalizer = Normalizer([r"(order|user)-\d+=>{1}-{n}"], counters)
    assert normalizer.text("order-17 user-4 order-17 order-99") == "order-000001 user-000001 order-000001 order-000002"
    assert counters == {r"(order|user)-\d+=>{1}-{n}:order": 2, r"(order|user)-\d+=>{1}-{n}:user": 1}
    again = Normalizer([r"(order|user)-\d+=>{1}-{n}"], counters)  # a later run continues the numbering
    assert again.text("order-5") == "order-000003"
    with pytest.raises(ValueError, match="REGEX=>PLACEHOLDER"):
        Normalizer(["order-\\d+"])

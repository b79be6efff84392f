"""Issue 11, item 3: the journal keeps no secrets (a short fingerprint instead) and no unbounded
bodies (`--journal-body-bytes`, truncation flagged) — over real sockets, RSS read from /proc."""

from __future__ import annotations

import json

import pytest

from mockserver.config import Config
from mockserver.journal import fingerprint

from ..helpers import KEY, LEGACY, MESSAGE_BODY, asgi_client, headers
from .servers import ServerProcess
from .support import assert_envelope, request_bytes, send_raw, while_misbehaving

SECRET = "sk-ant-api03-" + "S3CRET" * 12
OTHER = "sk-ant-api03-" + "0THER" * 12
BIG_MB = 25


@pytest.fixture(scope="module")
def server():
    with ServerProcess("--journal") as process:
        yield process


def post(server, body, **extra):
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    sent = {"anthropic-version": LEGACY, "content-type": "application/json",
            **{name.replace("_", "-"): value for name, value in extra.items()}}
    return send_raw(server, request_bytes("POST", "/v1/messages", sent, data))


def journal(server, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = send_raw(server, request_bytes("GET", f"/_mock/journal?{query}"))
    assert response.status == 200, response.body[:300]
    return response


def clear(server):
    assert send_raw(server, request_bytes("DELETE", "/_mock/journal")).status == 200


def test_keys_are_kept_as_fingerprints_that_tell_them_apart(server):
    clear(server)
    assert post(server, MESSAGE_BODY, x_api_key=SECRET).status == 200
    assert post(server, MESSAGE_BODY, authorization=f"Bearer {OTHER}").status == 200
    assert post(server, MESSAGE_BODY, x_api_key=SECRET, cookie="session=abc123secret").status == 200
    response = journal(server)
    for secret in (SECRET, OTHER, "S3CRET", "0THER", "abc123secret"):
        assert secret.encode() not in response.body
    first, second, third = (entry["headers"] for entry in response.json()["requests"])
    assert first["x-api-key"] == fingerprint(SECRET) == third["x-api-key"]
    assert second["authorization"] == f"Bearer {fingerprint(OTHER)}"
    assert fingerprint(SECRET) != fingerprint(OTHER) and len(fingerprint(SECRET)) == len("redacted:") + 8
    assert third["cookie"].startswith("redacted:")
    assert first["anthropic-version"] == LEGACY  # other headers stay as sent


def test_verify_still_matches_secret_headers_by_value():
    client = asgi_client(Config(journal=True))
    for key in (SECRET, SECRET, OTHER):
        client.post("/v1/messages", json=MESSAGE_BODY, headers=headers(key=key))
    client.post("/v1/messages", json=MESSAGE_BODY, headers={**headers(key=None), "authorization": f"Bearer {OTHER}"})

    def count(expected):
        return client.post("/_mock/verify", json={"match": {"headers": expected}}).json()["count"]

    assert count({"x-api-key": SECRET}) == 2 and count({"X-Api-Key": {"equals": OTHER}}) == 1
    assert count({"x-api-key": fingerprint(SECRET)}) == 2 and count({"x-api-key": "redacted:*"}) == 3
    assert count({"authorization": f"Bearer {OTHER}"}) == 1 and count({"x-api-key": "sk-nobody"}) == 0


def test_a_refused_key_is_redacted_too(server):
    clear(server)
    response = post(server, MESSAGE_BODY, x_api_key="sk-ant-admin01-" + "ADMINSECRET" * 4)
    assert_envelope(response, 401, "authentication_error")
    assert b"ADMINSECRET" not in journal(server).body


def test_large_bodies_are_truncated_and_flagged(server):
    clear(server)
    big = {**MESSAGE_BODY, "messages": [{"role": "user", "content": "word " * 40_000}]}  # 200 kB, above 64 KiB
    assert post(server, big, x_api_key=KEY).status == 200
    assert post(server, MESSAGE_BODY, x_api_key=KEY).status == 200
    large, small = journal(server).json()["requests"]
    assert large["body_truncated"] is True and large["body_bytes"] == len(json.dumps(big).encode())
    assert isinstance(large["body"], str) and len(large["body"].encode()) <= 64 * 1024
    assert large["body"].startswith('{"model"')
    assert small["body"] == MESSAGE_BODY and small["body_truncated"] is False


def test_journal_body_bytes_option():
    client = asgi_client(Config(journal=True, journal_body_bytes=10))
    client.post("/v1/messages", json=MESSAGE_BODY, headers=headers())
    entry = client.get("/_mock/journal").json()["requests"][0]
    assert entry["body_truncated"] is True and len(entry["body"]) == 10
    silent = asgi_client(Config(journal=True, journal_body_bytes=0))
    silent.post("/v1/messages", json=MESSAGE_BODY, headers=headers())
    assert silent.get("/_mock/journal").json()["requests"][0]["body"] is None


def test_ten_25_mb_requests_do_not_stay_in_memory(server):
    """The issue's input: ten 25 MB requests used to add 330 MB to the server for good."""
    rule = json.dumps({"id": "quick", "respond": {"status": 200, "body": {"ok": True}}}).encode()
    added = send_raw(server, request_bytes("POST", "/_mock/rules", {"content-type": "application/json"}, rule))
    assert added.status == 201, added.body
    content = "word " * (BIG_MB * 1024 * 1024 // 5)
    big = json.dumps({**MESSAGE_BODY, "messages": [{"role": "user", "content": content}]}).encode()
    del content
    post(server, big, x_api_key=KEY)  # the first one sizes the server's buffers
    before = server.rss_mb()

    def ten() -> list[int]:
        return [post(server, big, x_api_key=KEY).status for _ in range(9)]

    assert while_misbehaving(server, ten, settle=0.0) == [200] * 9
    assert server.rss_mb() - before < 60  # MB for 225 MB of bodies; unbounded it grows by 270 MB
    entries = [e for e in journal(server, rule="quick").json()["requests"] if e["body_bytes"] == len(big)]
    assert len(entries) == 10 and all(e["body_truncated"] and len(e["body"]) <= 64 * 1024 for e in entries)
    assert send_raw(server, request_bytes("DELETE", "/_mock/rules")).status == 200

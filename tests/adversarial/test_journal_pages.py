"""Issue 23, F2 and F6: the journal holds integers beyond 64 bits without breaking its reads, and a
read is one bounded page (a 100k-entry journal is read page by page, never serialised whole)."""

from __future__ import annotations

import json

import pytest

from ..helpers import KEY, LEGACY, MESSAGE_BODY
from .servers import ServerProcess, ServerThread
from .support import assert_envelope, assert_invalid_request, request_bytes, send_raw, while_misbehaving

ENTRIES = 100_000
PAGE = 1000


def post(server, path, raw: bytes):
    sent = {"anthropic-version": LEGACY, "content-type": "application/json", "x-api-key": KEY}
    return send_raw(server, request_bytes("POST", path, sent, raw))


def journal(server, query=""):
    return send_raw(server, request_bytes("GET", f"/_mock/journal{query}"), timeout=120)


@pytest.mark.parametrize("literal", ["18446744073709551616", "-9223372036854775809", "1" + "0" * 400])
def test_f2_an_integer_beyond_64_bits_leaves_the_journal_readable(literal):
    with ServerProcess("--journal") as server:
        message = (b'{"model":"claude-sonnet-4-6","max_tokens":' + literal.encode()
                   + b',"messages":[{"role":"user","content":"hi"}]}')
        assert_invalid_request(post(server, "/v1/messages", message), "max_tokens")
        batch = (b'{"requests":[{"custom_id":"a","params":{"model":"claude-sonnet-4-6","max_tokens":' + literal.encode()
                 + b',"messages":[{"role":"user","content":"hi"}]}}]}')
        assert post(server, "/v1/messages/batches", batch).status in (200, 400)  # never a 500
        assert post(server, "/v1/messages", json.dumps(MESSAGE_BODY).encode()).status == 200
        for _ in range(2):  # every read, not only the first
            read = journal(server)
            assert read.status == 200, read.body[:300]
            entries = read.json()["requests"]
            assert len(entries) == 3 and entries[-1]["body"] == MESSAGE_BODY
            assert entries[0]["status"] == 400 and entries[0]["path"] == "/v1/messages"


@pytest.fixture(scope="module")
def crowded():
    """A server whose journal holds 100k entries (the red team's), copied from one real request."""
    with ServerThread(journal=True, journal_size=ENTRIES) as server:
        assert post(server, "/v1/messages", json.dumps(MESSAGE_BODY).encode()).status == 200
        store = server.app.behaviour.journal
        (first,) = list(store._entries)
        for n in range(ENTRIES - 1):
            store.record({**first, "path": "/v1/messages" if n % 2 else "/v1/messages/count_tokens"})
        yield server


def test_f6_a_read_of_a_100k_entry_journal_is_one_page_and_others_are_answered(crowded):
    page = while_misbehaving(crowded, lambda: [journal(crowded) for _ in range(3)], checks=3)[0]
    assert page.status == 200, page.body[:300]
    body = page.json()
    assert len(body["requests"]) == PAGE and body["has_more"] is True
    seqs = sorted(entry["seq"] for entry in body["requests"])
    assert seqs == list(range(seqs[-1] - PAGE + 1, seqs[-1] + 1)) and seqs[-1] >= ENTRIES  # the newest page
    assert body["next_before"] == seqs[0]


def test_f6_pages_follow_one_another_with_before(crowded):
    first = journal(crowded, "?limit=50&path=/v1/messages").json()
    second = journal(crowded, f"?limit=50&path=/v1/messages&before={first['next_before']}").json()
    older, newer = [e["seq"] for e in second["requests"]], [e["seq"] for e in first["requests"]]
    assert len(older) == len(newer) == 50 and max(older) < min(newer)
    assert all(e["path"] == "/v1/messages" for e in first["requests"] + second["requests"])
    oldest = min(entry["seq"] for entry in list(crowded.app.behaviour.journal._entries))
    last = journal(crowded, f"?limit=1000&before={oldest + 2}").json()
    assert [e["seq"] for e in last["requests"]] == [oldest, oldest + 1]
    assert last["has_more"] is False and last["next_before"] is None


@pytest.mark.parametrize("limit", ["0", "-5", "1001", "100000000000000000000", "abc", ""])
def test_f6_a_limit_outside_one_page_is_refused(crowded, limit):
    response = journal(crowded, f"?limit={limit}")
    if limit == "":  # an empty value is no value: the default page
        assert response.status == 200 and len(response.json()["requests"]) == PAGE
        return
    assert_envelope(response, 400, "invalid_request_error", "limit", "1 to 1000", "before")

"""@anthropic_fuzz's plumbing: the fixture it adds, the environment it sets and restores, and the
plain replies past `max_replies`."""

from __future__ import annotations

import inspect
import os

import httpx

from mockserver.fuzz.pytest import anthropic_fuzz
from mockserver.fuzz.sources import PLAIN

ASK = {"model": "claude-sonnet-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}


def test_a_test_without_the_fixture_gets_it_and_reads_the_environment(anthropic_mock):
    seen = []

    @anthropic_fuzz(max_examples=5, profile="today", max_replies=1)
    def uses_the_environment():
        headers = {"x-api-key": os.environ["ANTHROPIC_API_KEY"], "anthropic-version": "2023-06-01"}
        for _ in range(3):
            response = httpx.post(os.environ["ANTHROPIC_BASE_URL"] + "/v1/messages", json=ASK, headers=headers)
            assert response.status_code == 200
        source = anthropic_mock.server.app.reply_source
        seen.append([simplify for _, simplify in source.draws])

    assert "anthropic_mock" in inspect.signature(uses_the_environment).parameters  # pytest will supply it
    before = os.environ.get("ANTHROPIC_BASE_URL")
    uses_the_environment(anthropic_mock=anthropic_mock)
    assert os.environ.get("ANTHROPIC_BASE_URL") == before and anthropic_mock.server.app.reply_source is None
    assert len(seen) == 5 and all(len(draws) == 3 and draws[1:] == [PLAIN, PLAIN] for draws in seen)

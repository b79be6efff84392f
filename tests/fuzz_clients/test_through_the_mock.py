"""@anthropic_fuzz end to end: planted clients on a real socket to the in-process mock. A buggy client
fails, hypothesis shrinks, and the report shows the replies as the bytes sent plus a replay line; the
fixed twin holds."""

from __future__ import annotations

import os

import pytest

from mockserver.fuzz.pytest import anthropic_fuzz

from .harness import check
from .planted import FirstBlockText, NoBackoff
from .reference import Client
from .sockets import Socket


def fuzzed(client_class: type[Client], max_examples: int, *, base_url_from_env: bool = False):
    @anthropic_fuzz(max_examples=max_examples, profile="all", derandomize=True, database=None)
    def property_test(anthropic_mock):
        url = os.environ["ANTHROPIC_BASE_URL"] if base_url_from_env else anthropic_mock.base_url
        socket = Socket(url, {"x-api-key": anthropic_mock.api_key, "anthropic-version": "2023-06-01",
                              **anthropic_mock.headers})
        try:
            sent = anthropic_mock.server.app.reply_source.sent
            check(client_class(socket.post, socket.sleep), sent, socket.sleeps)
        finally:
            socket.close()

    return property_test


@pytest.mark.parametrize("client_class", [FirstBlockText, NoBackoff])
def test_a_buggy_client_fails_and_the_report_shows_the_shrunk_bytes(anthropic_mock, client_class):
    with pytest.raises(Exception) as failure:
        fuzzed(client_class, 200)(anthropic_mock=anthropic_mock)
    report = "\n".join(getattr(failure.value, "__notes__", []))
    assert "the mock sent " in report and "reply 1: " in report and "bytes: b'" in report, report
    assert "replay: " in report
    sent = int(report.split("the mock sent ")[-1].split(" repl")[0])
    assert sent <= 2  # shrunk: one reply, or an error and its retry


def test_the_fixed_twin_holds_through_the_mock(anthropic_mock):
    fuzzed(Client, 40, base_url_from_env=True)(anthropic_mock=anthropic_mock)
    assert anthropic_mock.server.app.reply_source is None  # the source is the handlers again

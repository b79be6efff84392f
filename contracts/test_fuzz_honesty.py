"""Every fuzzed reply is one the real API could send: held to the contract checks, a few thousand
seeded draws over every profile (derandomized: the same draws every run)."""

from __future__ import annotations

import json
import random

import pytest

from mockserver import contract
from mockserver.config import DEFAULT_SPEC
from mockserver.fuzz.profiles import PROFILES, Simplify
from mockserver.fuzz.replies import Drawn, draw_reply
from mockserver.http.errors import ERROR_STATUS
from mockserver.spec import load_spec

SPEC = load_spec(DEFAULT_SPEC)
MESSAGE = {"$ref": "#/components/schemas/Message"}
EVENT = {"$ref": "#/components/schemas/MessageStreamEvent"}
ERROR = {"$ref": "#/components/schemas/ErrorResponse"}
KNOWN_EVENTS = {"message_start", "message_delta", "message_stop", "content_block_start", "content_block_delta",
                "content_block_stop", "ping", "error"}
DRAWS = 600  # per profile: 2,400 in all


def _draws(profile: str):
    for seed in range(DRAWS):
        rng = random.Random(f"honesty:{profile}:{seed}")
        stream = seed % 2 == 0
        yield stream, draw_reply(rng, stream=stream, model="claude-sonnet-4-5", profile=PROFILES[profile],
                                 max_tokens=1024)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_drawn_reply_passes_the_contract_checks(profile):
    kinds = set()
    for stream, drawn in _draws(profile):
        kinds.add(_check(drawn, stream, future=PROFILES[profile].future))
    expected = {"json", "sse"} | ({"error", "interrupted", "cut"} if PROFILES[profile].faults else set())
    assert kinds == expected


def _check(drawn: Drawn, stream: bool, *, future: bool) -> str:
    if drawn.status >= 400:
        body = json.loads(drawn.body)
        assert contract.schema_errors(SPEC, ERROR, body) == []
        assert ERROR_STATUS[body["error"]["type"]] == drawn.status in (429, 529)
        assert set(drawn.headers) <= {"retry-after", "x-should-retry"}
        return "error"
    if drawn.cut:
        assert drawn.message is None and drawn.body and drawn.streamed == stream
        return "cut"
    assert drawn.streamed == stream  # a stream only when the request asked for one
    return _check_sse(drawn, future) if stream else _check_json(drawn, future)


def _check_json(drawn: Drawn, future: bool) -> str:
    message = json.loads(drawn.body)
    assert message == drawn.message
    _check_final(message, future)
    return "json"


def _check_sse(drawn: Drawn, future: bool) -> str:
    parsed = contract.parse_sse(drawn.body)
    assert parsed.unterminated == ""
    assert contract.message_stream_problems(parsed.events) == []
    for event in parsed.events:
        if event.name in KNOWN_EVENTS and not future:
            assert contract.schema_errors(SPEC, EVENT, event.json()) == [], event.name
    if drawn.message is None:  # the API's error event ends a stream that failed midway
        assert parsed.events[-1].name == "error"
        return "interrupted"
    assert parsed.events[-1].name == "message_stop"
    accumulated = contract.accumulate_message(parsed.events)
    assert contract.first_difference(contract.without_nulls(drawn.message),
                                     contract.without_nulls(accumulated)) is None
    _check_final(drawn.message, future)
    return "sse"


def _check_final(message: dict, future: bool) -> None:
    """A finished reply: a stop reason, a stop sequence only when it stopped on one, within max_tokens."""
    if not future:
        assert contract.schema_errors(SPEC, MESSAGE, message) == []
    assert message["stop_reason"] is not None
    assert (message["stop_sequence"] is not None) == (message["stop_reason"] == "stop_sequence")
    if message["stop_reason"] == "tool_use":
        assert any(block["type"] == "tool_use" for block in message["content"])
    assert message["usage"]["output_tokens"] <= 1024
    fallbacks = [b["to"]["model"] for b in message["content"] if b["type"] == "fallback" and isinstance(b.get("to"), dict)]
    assert message["model"] == (fallbacks[-1] if fallbacks else "claude-sonnet-4-5")  # relabelled after a fallback


def test_a_simplified_reply_keeps_within_its_limits():
    limits = Simplify(blocks=1, text=8, chunks=1, extras=0, faults=0)
    for seed in range(200):
        drawn = draw_reply(random.Random(seed), stream=True, profile=PROFILES["all"], simplify=limits,
                           model="claude-sonnet-4-5", max_tokens=1024)
        assert len(drawn.chunks) == 1 and drawn.fault is None and len(drawn.message["content"]) <= 1
        assert all(len(b.get("text", "")) <= 8 for b in drawn.message["content"])
        assert b"\r" not in drawn.body and b"future_" not in drawn.body
        _check_sse(drawn, future=False)

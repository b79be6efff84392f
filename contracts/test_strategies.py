"""mockserver.fuzz.strategies: schema-valid messages, every block type, streams that decode to their events
and accumulate back to their message, however the bytes are split."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings

from mockserver import contract
from mockserver.fuzz import strategies
from mockserver.config import DEFAULT_SPEC
from mockserver.spec import load_spec

SPEC = load_spec(DEFAULT_SPEC)
MESSAGE = {"$ref": "#/components/schemas/Message"}
EVENT = {"$ref": "#/components/schemas/MessageStreamEvent"}


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.messages())
def test_messages_are_valid_against_the_spec(message):
    assert contract.schema_errors(SPEC, MESSAGE, message) == []


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.fuzzed_streams(future=False))
def test_streams_follow_the_grammar_and_accumulate_to_their_message(stream):
    parsed = contract.parse_sse(stream.body)
    assert parsed.unterminated == ""
    assert [(e.name, e.json()) for e in parsed.events] == stream.events
    assert contract.message_stream_problems(parsed.events) == []
    for _, payload in stream.events:
        assert contract.schema_errors(SPEC, EVENT, payload) == []
    accumulated = contract.accumulate_message(parsed.events)
    assert contract.first_difference(contract.without_nulls(stream.message),
                                     contract.without_nulls(accumulated)) is None


def test_every_content_block_type_is_drawn():
    drawn = {block["type"] for seed in range(300) for block in strategies.draw_message(random.Random(seed))["content"]}
    assert drawn == set(strategies.block_types())
    for kind in strategies.block_types():
        block = strategies.draw_block(random.Random(1), kind)
        assert contract.schema_errors(SPEC, {"$ref": "#/components/schemas/ContentBlock"}, block) == []


def test_transport_variations_all_occur():
    streams = [strategies.draw_stream(random.Random(seed), future=True) for seed in range(300)]
    assert {s.wire.line_end for s in streams} == {b"\n", b"\r\n", b"\r"}
    assert any(s.wire.comments for s in streams) and any(s.wire.ids for s in streams)
    assert any(len(s.chunks) > 5 for s in streams)
    assert any(_cut_inside_a_character(s.chunks) for s in streams)
    assert any(name.startswith("future_") for s in streams for name, _ in s.events)
    assert any(b["type"].startswith(("future_", "hologram")) for s in streams for b in s.message["content"])
    usages = [n for s in streams for n in s.message["usage"].values() if isinstance(n, int)]
    assert 0 in usages and max(usages) == 2**53 - 1
    texts = [b.get("text") for s in streams for b in s.message["content"] if b["type"] == "text"]
    assert "" in texts and max(map(len, texts)) > 10_000


def _cut_inside_a_character(chunks: list[bytes]) -> bool:
    return any(chunk and chunk[0] & 0xC0 == 0x80 for chunk in chunks[1:])

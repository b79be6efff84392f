"""The official Python SDK against fuzzed replies (mockserver.fuzz.strategies), in-process: its SSE decoder,
its stream accumulator (beta and GA) and its JSON parsing. 500 streams per CI run.

To fuzz your own client, keep the strategies and replace the three `read_*` functions with calls into
your code: anything that turns the chunks into a message (see docs/contract.md, "Fuzzing clients").
"""

from __future__ import annotations

import warnings
from typing import Any

import anthropic
import httpx2
from anthropic._streaming import SSEDecoder
from hypothesis import HealthCheck, given, settings

from mockserver.fuzz import strategies
from mockserver.contract import first_difference, without_nulls

REQUEST = {"model": "claude-sonnet-4-6", "max_tokens": 16, "messages": [{"role": "user", "content": "Hi"}]}


class Replies:
    """A transport that answers the next request with the chunks it was handed."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.content_type = "application/json"

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"content-type": self.content_type, "request-id": "req_fuzz"},
                               content=iter(list(self.chunks)))


REPLIES = Replies()
CLIENT = anthropic.Anthropic(api_key="sk-ant-api03-fuzz", base_url="http://fuzz.test", max_retries=0,
                             http_client=httpx2.Client(transport=httpx2.MockTransport(REPLIES)))


def serve(chunks: list[bytes], content_type: str) -> None:
    REPLIES.chunks, REPLIES.content_type = chunks, content_type


def read_stream(chunks: list[bytes]) -> dict[str, Any]:
    serve(chunks, "text/event-stream")
    with CLIENT.beta.messages.stream(**REQUEST) as stream:
        return as_json(stream.get_final_message())


def read_ga_stream(chunks: list[bytes]) -> dict[str, Any]:
    serve(chunks, "text/event-stream")
    with CLIENT.messages.stream(**REQUEST) as stream:
        return as_json(stream.get_final_message())


def read_json(chunks: list[bytes]) -> dict[str, Any]:
    serve(chunks, "application/json")
    return as_json(CLIENT.beta.messages.create(**REQUEST))


def as_json(message: Any) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydantic warns when it serialises block types it does not know
        return without_nulls(message.to_dict(mode="json", warnings=False))


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.fuzzed_streams(future=True))
def test_the_sdk_accumulates_every_fuzzed_stream(stream):
    decoded = [(e.event, e.json()) for e in SSEDecoder().iter_bytes(iter(stream.chunks)) if e.event]
    assert decoded == stream.events
    assert first_difference(without_nulls(stream.message), read_stream(stream.chunks)) is None
    ga = read_ga_stream(stream.chunks)  # GA types: beta-only blocks are kept as opaque objects
    for expected, got in zip(stream.message["content"], ga["content"]):
        if expected["type"] in ("text", "thinking", "tool_use"):
            assert first_difference(without_nulls(expected), got) is None


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.fuzzed_json(future=True))
def test_the_sdk_parses_every_fuzzed_message(reply):
    assert first_difference(without_nulls(reply.message), read_json(reply.chunks)) is None

"""The official Python SDK under @anthropic_fuzz, through the in-process mock on a real socket: sync and
async `messages.create`, and the streaming helper, over every profile's replies (faults included).

The property: the SDK returns the message the reply carries, or raises one of its own errors
(anthropic.APIError) for a reply that was a fault; any other exception, or a wrong message, is a finding (one so far: see `holds`).
`max_retries=0`: the SDK's backoff sleeps would make each example slow (its retries are the subject of
tests/fuzz_clients' retry clients and tests/test_messages_sdk.py).
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any, Callable

import anthropic

from mockserver.contract import first_difference, without_nulls
from mockserver.fuzz.pytest import anthropic_fuzz

ASK = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": [{"role": "user", "content": "Hi"}]}
CORE_BLOCKS = ("text", "thinking", "tool_use")


def holds(anthropic_mock: Any, get: Callable[[], Any], *, core_only: bool = False) -> None:
    source = anthropic_mock.server.app.reply_source
    try:
        message = get()
    except anthropic.APIError as error:
        last = source.sent[-1]
        assert last.message is None, f"{type(error).__name__} on a complete reply: {error}"
        return
    except Exception as error:
        last = source.sent[-1]
        # Finding (anthropic 2.16): a stream cut mid-body escapes the streaming helper as the transport's
        # own RemoteProtocolError, not as anthropic.APIConnectionError (`create` wraps it).
        assert last.cut and last.streamed and type(error).__name__ == "RemoteProtocolError", repr(error)
        return
    last = source.sent[-1]
    assert last.message is not None, f"took a failed reply ({last.fault}) for a message"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydantic warns when it serialises block types it does not know
        got = without_nulls(message.to_dict(mode="json", warnings=False))
    if core_only:  # GA types keep beta-only blocks and fields as opaque objects
        pairs = [(e, g) for e, g in zip(last.message["content"], got["content"]) if e["type"] in CORE_BLOCKS]
        assert len(got["content"]) == len(last.message["content"])
        for expected, actual in pairs:
            assert first_difference(without_nulls(expected), actual) is None
        return
    assert first_difference(without_nulls(last.message), got) is None


@anthropic_fuzz(max_examples=40, profile="all")
def test_sync_create(anthropic_mock):
    client = anthropic_mock.client(max_retries=0)
    holds(anthropic_mock, lambda: client.beta.messages.create(**ASK))


@anthropic_fuzz(max_examples=40, profile="all")
def test_async_create(anthropic_mock):
    async def create() -> Any:
        async with anthropic_mock.async_client(max_retries=0) as client:
            return await client.beta.messages.create(**ASK)

    holds(anthropic_mock, lambda: asyncio.run(create()))


@anthropic_fuzz(max_examples=40, profile="all")
def test_streaming_helper(anthropic_mock):
    client = anthropic_mock.client(max_retries=0)

    def final() -> Any:
        with client.beta.messages.stream(**ASK) as stream:
            return stream.get_final_message()

    holds(anthropic_mock, final)


@anthropic_fuzz(max_examples=40, profile="all")
def test_ga_streaming_helper(anthropic_mock):
    client = anthropic_mock.client(max_retries=0)

    def final() -> Any:
        with client.messages.stream(**ASK) as stream:
            return stream.get_final_message()

    holds(anthropic_mock, final, core_only=True)

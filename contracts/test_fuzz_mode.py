"""Fuzz mode (mockserver.fuzz): the same seed and request replay the same bytes, streamed replies
split into the drawn chunks, and the official SDK reads what the server sends."""

from __future__ import annotations

import asyncio

import anthropic
import httpx
import pytest

from mockserver import contract
from mockserver.app import create_app
from mockserver.call import Call
from mockserver.config import Config
from mockserver.fuzz.replies import fuzz_reply
from mockserver.http.replies import BytesReply

APP = create_app(Config())
OPERATION = next(op for op in APP.state.operations if op.operation_id == "messages_create")
BODY = {"model": "claude-sonnet-4-6", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}


def call_with(body: dict) -> Call:
    return Call(method="POST", path="/v1/messages", query_string="", operation=OPERATION, path_params={},
                query={}, headers={}, body=body, raw_body=b"",
                version="2026-10-21", betas=(), api_key="sk-ant-api03-x", request_id="req_1",
                base_url="http://fuzz.test", state=APP.state)


def chunks_of(reply: BytesReply) -> list[bytes]:
    async def collect() -> list[bytes]:
        return [chunk async for chunk in reply.body]

    return asyncio.run(collect())


@pytest.mark.parametrize("stream", [False, True])
def test_the_same_seed_and_request_replay_byte_for_byte(stream):
    body = {**BODY, "stream": stream}
    first = chunks_of(fuzz_reply(call_with(body), seed=11))
    assert first == chunks_of(fuzz_reply(call_with(body), seed=11))
    assert first != chunks_of(fuzz_reply(call_with(body), seed=12))
    assert first != chunks_of(fuzz_reply(call_with({**body, "max_tokens": 65}), seed=11))


def test_streamed_and_plain_replies_carry_the_same_message():
    for seed in range(20):
        plain = b"".join(chunks_of(fuzz_reply(call_with(BODY), seed)))
        streamed = b"".join(chunks_of(fuzz_reply(call_with({**BODY, "stream": True}), seed)))
        accumulated = contract.accumulate_message(contract.parse_sse(streamed).events)
        assert contract.first_difference(contract.without_nulls(httpx.Response(200, content=plain).json()),
                                         contract.without_nulls(accumulated)) is None


def test_streams_are_split_into_several_chunks():
    counts = [len(chunks_of(fuzz_reply(call_with({**BODY, "stream": True}), seed))) for seed in range(20)]
    assert max(counts) > 3


def test_the_sdk_reads_fuzzed_replies_served_by_an_app():
    """A fuzzing app (every messages_create answered by fuzz_reply) behind the official SDK."""

    async def fuzzing_app(scope, receive, send):
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        reply = fuzz_reply(call_with(httpx.Response(200, content=body).json()), seed=5)
        headers = [(b"content-type", reply.content_type.encode()), (b"request-id", b"req_fuzz")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        async for chunk in reply.body:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    async def exchange():
        import httpx2

        client = anthropic.AsyncAnthropic(api_key="sk-ant-api03-x", base_url="http://fuzz.test", max_retries=0,
                                          http_client=httpx2.AsyncClient(transport=httpx2.ASGITransport(fuzzing_app)))
        plain = await client.beta.messages.create(**BODY)
        async with client.beta.messages.stream(**BODY) as stream:
            streamed = await stream.get_final_message()
        return plain, streamed

    plain, streamed = asyncio.run(exchange())
    assert contract.without_nulls(plain.to_dict(mode="json", warnings=False)) == \
        contract.without_nulls(streamed.to_dict(mode="json", warnings=False))

"""Write a Reply to the ASGI `send` channel, with the standard headers as raw byte pairs."""

from __future__ import annotations

import asyncio

import orjson

from .asgi import Send
from .replies import BytesReply, JsonReply, Reply, StreamReply
from .sse import encode_event, is_content_delta

RawHeaders = list[tuple[bytes, bytes]]

_JSON = b"application/json"
_SSE = b"text/event-stream; charset=utf-8"


def _header_pairs(extra: dict[str, str]) -> RawHeaders:
    return [(k.lower().encode(), str(v).encode("latin-1")) for k, v in extra.items()]


async def send_reply(send: Send, reply: Reply, base: RawHeaders) -> None:
    if isinstance(reply, JsonReply):
        await _send_whole(send, reply.status, orjson.dumps(reply.body), _JSON, base, reply.headers)
    elif isinstance(reply, StreamReply):
        await _send_stream(send, reply, base)
    elif isinstance(reply.body, bytes):
        await _send_whole(send, reply.status, reply.body, reply.content_type.encode(), base, reply.headers)
    else:
        await _send_chunks(send, reply, base)


async def _send_whole(send: Send, status: int, body: bytes, content_type: bytes, base: RawHeaders,
                      extra: dict[str, str]) -> None:
    headers = [*base, (b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    headers += _header_pairs(extra)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_chunks(send: Send, reply: BytesReply, base: RawHeaders) -> None:
    headers = [*base, (b"content-type", reply.content_type.encode()), *_header_pairs(reply.headers)]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    async for chunk in reply.body:  # type: ignore[union-attr]
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def _send_stream(send: Send, reply: StreamReply, base: RawHeaders) -> None:
    headers = [*base, (b"content-type", _SSE), (b"cache-control", b"no-cache"), *_header_pairs(reply.headers)]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    if reply.pacing.instant:
        body = b"".join(encode_event(name, payload) for name, payload in reply.events)
        await send({"type": "http.response.body", "body": body})
        return
    first = True
    for name, payload in reply.events:
        if is_content_delta(name, payload):
            delay = reply.pacing.first_event_delay if first else reply.pacing.delta_delay
            first = False
            if delay > 0:
                await asyncio.sleep(delay)
        await send({"type": "http.response.body", "body": encode_event(name, payload), "more_body": True})
    await send({"type": "http.response.body", "body": b""})

"""Stream pacing (--ttft-ms, --tokens-per-second): events arrive spread out, not in one write."""

from __future__ import annotations

import time

import httpx

from mockserver.config import Config
from mockserver.server import MockServer

from .helpers import MODEL, headers

BODY = {"model": MODEL, "max_tokens": 60, "stream": True,
        "messages": [{"role": "user", "content": "Tell me a long story about the sea and the wind"}]}


def arrivals(base_url: str) -> list[tuple[float, bytes]]:
    """Each chunk as the client received it, with its delay since the request was sent."""
    start = time.monotonic()
    seen = []
    with httpx.stream("POST", f"{base_url}/v1/messages", json=BODY, headers=headers()) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw():
            seen.append((time.monotonic() - start, chunk))
    return seen


def test_paced_stream_waits_for_the_first_token_then_drips():
    with MockServer(Config(ttft_ms=300, tokens_per_second=100)) as server:
        seen = arrivals(server.base_url)
    first_delta = next(at for at, chunk in seen if b"content_block_delta" in chunk)
    assert first_delta >= 0.3  # a deliberate delay: a lower bound, not a speed
    assert sum(chunk.count(b"event: content_block_delta") for _, chunk in seen) > 1
    assert len(seen) > 3  # written event by event


def test_unpaced_stream_is_one_write():
    with MockServer(Config()) as server:
        seen = arrivals(server.base_url)
    body = b"".join(chunk for _, chunk in seen)
    assert body.rstrip().endswith(b'data: {"type":"message_stop"}')
    assert len(seen) <= 2

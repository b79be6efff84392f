"""Cost of scripted behaviour on the hot path, against a baseline in the same run.

    .venv/bin/python -m tests.scenarios.overhead

Drives the ASGI app directly (no sockets) with POST /v1/messages and reports CPU microseconds
per request for: the plain handler path (baseline), the default (idle behaviour with rate-limit
headers), headers off, one non-matching rule, and the journal on.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import time

import orjson

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.http.render import send_reply

BODY = orjson.dumps({"model": "claude-sonnet-4-6", "max_tokens": 64,
                     "messages": [{"role": "user", "content": "Hello there"}]})
HEADERS = [(b"host", b"mock"), (b"x-api-key", b"sk-ant-api03-bench"), (b"anthropic-version", b"2023-06-01"),
           (b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode()),
           (b"user-agent", b"Anthropic/Python 2.14.0"), (b"x-stainless-retry-count", b"0")]
SCOPE = {"type": "http", "method": "POST", "path": "/v1/messages", "query_string": b"", "headers": HEADERS,
         "scheme": "http", "server": ("127.0.0.1", 4010), "client": ("127.0.0.1", 5000), "http_version": "1.1"}


class Bare:
    """The path without scripted behaviour: handler, then send_reply."""

    def __init__(self, real) -> None:
        self.real = real

    async def answer(self, call, handler):
        function, is_async = handler
        return await function(call) if is_async else function(call)

    async def send(self, exchange, reply, receive, send):
        await send_reply(send, reply, exchange.base)


async def receive():
    return {"type": "http.request", "body": BODY, "more_body": False}


async def send(message):
    pass


async def run(app, n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        await app(SCOPE, receive, send)
    return (time.process_time() - started) / n * 1e6


def variants():
    bare = create_app(Config())
    bare._pipeline.behaviour = Bare(bare.behaviour)
    plain = create_app(Config())
    no_headers = create_app(Config(rate_limit_headers=False))
    with_rule = create_app(Config())
    with_rule.behaviour.shared.put_rules("", [{"match": {"operation": "models_list"}, "respond": {"text": "x"}}])
    with_rule.behaviour.sync()
    journal = create_app(dataclasses.replace(Config(), journal=True))
    return {"baseline (no behaviour)": bare, "default (rate-limit headers)": plain,
            "--no-rate-limit-headers": no_headers, "one rule, not matching": with_rule, "--journal": journal}


def main(rounds: int = 7, n: int = 3000) -> None:
    apps = variants()
    results: dict[str, list[float]] = {name: [] for name in apps}
    loop = asyncio.new_event_loop()
    for name, app in apps.items():
        loop.run_until_complete(run(app, 500))  # warm up
    for _ in range(rounds):
        for name, app in apps.items():
            results[name].append(loop.run_until_complete(run(app, n)))
    base = statistics.median(results["baseline (no behaviour)"])
    for name, samples in results.items():
        median = statistics.median(samples)
        print(f"{name:32s} {median:7.1f} us/request  ({median - base:+.1f})")


if __name__ == "__main__":
    main()

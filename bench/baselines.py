"""The ceilings: the mock's own reply bytes served with no work, on uvicorn with httptools + uvloop.

    python -m bench.baselines raw|starlette --port P [--workers N] [--reuseport N]

The bytes come from files the runner captured from the mock ($BENCH_REPLY: one Message;
$BENCH_EVENTS: one streamed reply; $BENCH_HEADERS: the headers the mock sent with each), so a
ceiling answers exactly what the mock answers. A request whose body asks to stream gets the SSE
bytes: the raw app writes one event per `send` (or all in one with `?whole=1`); the Starlette app
yields one event per chunk from a StreamingResponse.

`--workers N` is uvicorn's supervisor (one listening socket shared by N processes);
`--reuseport N` starts N processes that each bind their own SO_REUSEPORT socket, so the kernel
spreads connections evenly across them.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import socket
from pathlib import Path
from typing import Any

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

REPLY = Path(os.environ["BENCH_REPLY"]).read_bytes()
STREAM = Path(os.environ["BENCH_EVENTS"]).read_bytes()
EVENTS = [event + b"\n\n" for event in STREAM.split(b"\n\n") if event]
_HEADERS = json.loads(Path(os.environ["BENCH_HEADERS"]).read_text())
STREAM_FLAG = b'"stream":true'


def _raw(pairs: list[list[str]]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in pairs]


_REPLY_HEADERS = _raw(_HEADERS["reply"]) + [(b"content-length", str(len(REPLY)).encode())]
_EVENTS_HEADERS = _raw(_HEADERS["events"])


async def raw_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    if STREAM_FLAG not in body:
        await send({"type": "http.response.start", "status": 200, "headers": _REPLY_HEADERS})
        await send({"type": "http.response.body", "body": REPLY})
        return
    await send({"type": "http.response.start", "status": 200, "headers": _EVENTS_HEADERS})
    if scope["query_string"] == b"whole=1":
        await send({"type": "http.response.body", "body": STREAM})
        return
    for event in EVENTS:
        await send({"type": "http.response.body", "body": event, "more_body": True})
    await send({"type": "http.response.body", "body": b""})


_REPLY_OBJECT = orjson.loads(REPLY)
_SKIP = ("content-type", "content-length")
_STARLETTE_REPLY = {k: v for k, v in _HEADERS["reply"] if k not in _SKIP}
_STARLETTE_EVENTS = {k: v for k, v in _HEADERS["events"] if k not in _SKIP}


async def _messages(request: Request) -> Response:
    body = orjson.loads(await request.body())
    if body.get("stream"):
        async def events():
            for event in EVENTS:
                yield event
        return StreamingResponse(events(), media_type="text/event-stream; charset=utf-8", headers=_STARLETTE_EVENTS)
    return Response(orjson.dumps(_REPLY_OBJECT), media_type="application/json", headers=_STARLETTE_REPLY)


starlette_app = Starlette(routes=[Route("/v1/messages", _messages, methods=["POST"])])

_OPTIONS = dict(http="httptools", loop="uvloop", log_level="warning", access_log=False, lifespan="off")


def _serve_own_socket(target: str, port: int) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    uvicorn.Server(uvicorn.Config(target, **_OPTIONS)).run(sockets=[sock])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baselines")
    parser.add_argument("app", choices=("raw", "starlette"))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--reuseport", type=int, default=0, metavar="N")
    args = parser.parse_args()
    target = f"bench.baselines:{args.app}_app"
    if args.reuseport:
        processes = [multiprocessing.Process(target=_serve_own_socket, args=(target, args.port))
                     for _ in range(args.reuseport)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        return
    uvicorn.run(target, host="127.0.0.1", port=args.port, workers=args.workers, **_OPTIONS)


if __name__ == "__main__":
    main()

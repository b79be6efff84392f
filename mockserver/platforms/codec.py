"""The codec seam: a platform request becomes a first-party request on the way in, and the
first-party answer takes the platform's framing and error shapes on the way out.

A codec works on plain ASGI around the one pipeline, so rules, faults, rate limits, the journal and
cassettes never learn which platform spoke; they see a first-party request that carries
`x-mock-platform: NAME` (rules can match on it) and an `x-api-key` derived from the platform's
credential (never the credential itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from ..http.asgi import ASGIApp, Message, Receive, Scope, Send

PLATFORM_HEADER = "x-mock-platform"
MAX_BODY_BYTES = 32 * 1024 * 1024  # the first-party Messages limit; the gate checks it again


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def api_version(value: Any, platform_name: str) -> str:
    """A body's `anthropic_version` as a first-party `anthropic-version`: the platform's own name
    (`bedrock-2023-05-31`, `vertex-2023-10-16`) is 2023-06-01; a date passes as it is."""
    if value == platform_name:
        return "2023-06-01"
    if isinstance(value, str) and _DATE.fullmatch(value):
        return value
    raise ValueError(f'anthropic_version: expected "{platform_name}" or an API version date, '
                     f"got {orjson.dumps(value).decode()}")


def json_object(body: bytes, kind: str, message: str) -> dict[str, Any]:
    """The body as a JSON object, else a 400 PlatformError of the platform's `kind`."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        payload = None
    if not isinstance(payload, dict):
        raise PlatformError(400, kind, message)
    return payload


class PlatformError(Exception):
    """Refused before the pipeline, in the platform's own shape."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message


@dataclass
class FirstParty:
    """What the pipeline is given instead of the platform's request."""

    path: str
    headers: dict[str, str]
    body: bytes | None = None          # None: the body passes unchanged
    query_string: bytes = b""
    framing: Any = None                # a Framing for the reply, or None: first-party bytes as they are
    context: dict[str, Any] = field(default_factory=dict)


class Framing(Protocol):
    """Rewrites the ASGI messages of one first-party answer into the platform's form."""

    async def start(self, message: Message, send: Send) -> None: ...
    async def body(self, message: Message, send: Send) -> None: ...


class Codec(Protocol):
    name: str

    def claims(self, path: str, headers: dict[str, str]) -> bool: ...
    def translate(self, scope: Scope, headers: dict[str, str], body: bytes) -> FirstParty: ...
    def error_reply(self, error: PlatformError) -> tuple[int, list[tuple[bytes, bytes]], bytes]: ...


async def serve(codec: Codec, scope: Scope, receive: Receive, send: Send, pipeline: ASGIApp,
                headers: dict[str, str]) -> None:
    try:
        body = await _read(receive)
        first = codec.translate(scope, headers, body)
    except PlatformError as error:
        status, extra, payload = codec.error_reply(error)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"), *extra]})
        await send({"type": "http.response.body", "body": payload})
        return
    inner = {**scope, "path": first.path, "raw_path": first.path.encode(), "query_string": first.query_string,
             "headers": _raw_headers(scope["headers"], {PLATFORM_HEADER: codec.name, **first.headers})}
    await pipeline(inner, _replay(first.body if first.body is not None else body, receive),
                   _framed(send, first.framing))


async def _read(receive: Receive) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b""
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise PlatformError(413, "request_too_large", "The request body is larger than 32 MB.")
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: the client's disconnect, as the pipeline expects
    return replayed


def _framed(send: Send, framing: Framing | None) -> Send:
    if framing is None:
        return send

    async def framed(message: Message) -> None:
        if message["type"] == "http.response.start":
            await framing.start(message, send)
        elif message["type"] == "http.response.body":
            await framing.body(message, send)
        else:
            await send(message)
    return framed


def _raw_headers(raw: list[tuple[bytes, bytes]], replace: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """The platform's headers, less its credentials and content-length, plus the first-party ones."""
    dropped = {b"authorization", b"api-key", b"x-api-key", b"content-length", b"x-amz-security-token",
               *(name.encode() for name in replace)}
    kept = [(name, value) for name, value in raw if name.lower() not in dropped]
    return kept + [(name.encode(), value.encode("latin-1")) for name, value in replace.items()]

"""How a request finds its recording: operation + method + URI + canonical JSON body (sorted keys,
ignored paths left out), plus the values of opted-in headers. On a miss: the closest recording and
the first difference, for the error message."""

from __future__ import annotations

from typing import Any, Hashable, Iterable

import orjson

from ..scenarios.jsonpath import compile_path
from .cassette import Interaction, RecordedRequest
from .redaction import REDACTED, replace_at

Key = tuple[Hashable, ...]


class Matcher:
    def __init__(self, ignore_paths: Iterable[str] = (), headers: Iterable[str] = (),
                 redact: Iterable[str] = ()) -> None:
        self.ignore = [compile_path(p) for p in ignore_paths]
        self.redact = [compile_path(p) for p in redact]
        self.headers = tuple(h.lower() for h in headers)

    def key(self, request: RecordedRequest) -> Key:
        key: Key = (request.operation, request.method, request.uri, self.canonical_body(request))
        if self.headers:
            key += tuple(request.headers.get(h, "") for h in self.headers)
        return key

    def canonical_body(self, request: RecordedRequest) -> bytes:
        raw = request.body
        if not raw:
            return b""
        boundary = _boundary(request.headers.get("content-type", ""))
        if boundary:  # multipart: every client draws its own boundary
            return raw.replace(boundary.encode("latin-1"), b"BOUNDARY")
        document = self.body_document(raw)
        return raw if document is _NOT_JSON else orjson.dumps(document, option=orjson.OPT_SORT_KEYS)

    def body_document(self, raw: bytes) -> Any:
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return _NOT_JSON
        for steps in self.redact:
            replace_at(document, steps, REDACTED)
        for steps in self.ignore:
            replace_at(document, steps, None, delete=True)
        return document

    def explain_miss(self, request: RecordedRequest, recorded: list[Interaction]) -> str:
        """`closest recorded request: POST /v1/messages (#2); first difference: messages[0].content: ...`"""
        if not recorded:
            return "the cassette has no recorded requests"
        index, closest = max(enumerate(recorded), key=lambda pair: self._likeness(request, pair[1].request))
        other = closest.request
        return (f"closest recorded request: {other.method} {other.uri} (interaction #{index + 1}); "
                f"first difference (recorded != sent): {self.first_difference(other, request)}")

    def first_difference(self, recorded: RecordedRequest, sent: RecordedRequest) -> str:
        for name, old, new in (("method", recorded.method, sent.method), ("uri", recorded.uri, sent.uri)):
            if old != new:
                return f"{name}: recorded {old!r}, sent {new!r}"
        for header in self.headers:
            if recorded.headers.get(header, "") != sent.headers.get(header, ""):
                return f"header {header}: recorded {recorded.headers.get(header)!r}, sent {sent.headers.get(header)!r}"
        old_body, new_body = self.body_document(recorded.body), self.body_document(sent.body)
        if old_body is _NOT_JSON or new_body is _NOT_JSON:
            return "the bodies differ (not JSON)"
        from ..contract.checks import first_difference  # only on a miss: keep the contract suite off the hot path

        found = first_difference(old_body, new_body)
        return f"body {found}" if found else "the body (recorded answers all used up)"

    def _likeness(self, sent: RecordedRequest, recorded: RecordedRequest) -> tuple[int, int]:
        same = (sent.operation == recorded.operation) * 4 + (sent.method == recorded.method) * 2
        same += sent.uri == recorded.uri
        shared = len(_common_prefix(self.canonical_body(sent), self.canonical_body(recorded)))
        return same, shared


_NOT_JSON = object()


def _boundary(content_type: str) -> str | None:
    if not content_type.startswith("multipart/"):
        return None
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "boundary":
            return value.strip('"')
    return None


def _common_prefix(a: bytes, b: bytes) -> bytes:
    size = min(len(a), len(b))
    for i in range(size):
        if a[i] != b[i]:
            return a[:i]
    return a[:size]

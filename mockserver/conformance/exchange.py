"""One request/response pair recorded against the real API, in the shape every reader produces."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RecordedExchange:
    source: str                      # where it came from, for reports: "<file>#<index>"
    method: str                      # upper case
    target: str                      # path and query string, e.g. "/v1/messages?beta=true"
    request_headers: dict[str, str]  # lower-case names; secrets already scrubbed
    request_body: bytes
    status: int
    response_headers: dict[str, str]  # lower-case names
    response_body: bytes             # as sent; for text/event-stream the whole stream
    project: str | None = None       # the corpus folder it belongs to, if any
    tags: frozenset[str] = field(default_factory=frozenset)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def is_stream(self) -> bool:
        return self.response_headers.get("content-type", "").startswith("text/event-stream")

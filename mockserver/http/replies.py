"""What a handler returns; the renderer turns each kind into ASGI messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Iterable

Event = tuple[str | None, Any]  # (SSE event name, or None for a data-only event; payload dict or raw str)


@dataclass(slots=True)
class JsonReply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class BytesReply:
    body: bytes | AsyncIterator[bytes]
    content_type: str = "application/octet-stream"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Pacing:
    first_event_delay: float = 0.0  # seconds before the first content event (time to first token)
    delta_delay: float = 0.0  # seconds between content deltas

    @property
    def instant(self) -> bool:
        return self.first_event_delay <= 0 and self.delta_delay <= 0


@dataclass(slots=True)
class StreamReply:
    """Server-sent events, written in one piece when no pacing is asked for."""

    events: Iterable[Event]
    headers: dict[str, str] = field(default_factory=dict)
    pacing: Pacing = field(default_factory=Pacing)


Reply = JsonReply | BytesReply | StreamReply

"""Server-sent event framing: `event: name` + `data: json` + blank line (and reading one line back)."""

from __future__ import annotations

from typing import Any

import orjson


def encode_event(name: str | None, payload: Any) -> bytes:
    data = payload.encode() if isinstance(payload, str) else orjson.dumps(payload)
    if name is None:
        return b"data: " + data + b"\n\n"
    return b"event: " + name.encode() + b"\ndata: " + data + b"\n\n"


def is_content_delta(name: str | None, payload: Any) -> bool:
    """Events that carry generated content: pacing applies between them."""
    if name is None:
        return isinstance(payload, dict) and bool(payload.get("choices"))
    return name in ("content_block_delta", "completion")


def sse_field(line: str) -> tuple[str, str]:
    """One line of an event as (field, value): `data: x` and `data:x` both give ("data", "x")."""
    field, _, value = line.partition(":")
    return field, value[1:] if value.startswith(" ") else value

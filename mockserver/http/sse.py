"""Server-sent event framing: `event: name` + `data: json` + blank line."""

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

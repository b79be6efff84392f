"""Fuzzed bytes on the wire: the ways an SSE stream may be framed, and chunks cut as a network delivers them."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any

import orjson

Event = tuple[str, dict[str, Any]]
_TRICKY = re.compile(rb"[\x80-\xbf]|\r\n")  # a UTF-8 continuation byte, or the LF of a CRLF
LINE_ENDS = (b"\n", b"\r\n", b"\r")


@dataclass(frozen=True, slots=True)
class Wire:
    """How one stream is written: line ends, JSON style, extra SSE fields."""

    line_end: bytes = b"\n"
    space_after_colon: bool = True
    data_first: bool = False
    comments: float = 0.0  # chance of a comment line before an event
    ids: bool = False
    retry: bool = False
    json_style: str = "compact"  # compact | spaced | ascii


def draw_wire(rng: random.Random) -> Wire:
    return Wire(line_end=rng.choice(LINE_ENDS), space_after_colon=rng.random() < 0.7,
                data_first=rng.random() < 0.15, comments=rng.choice((0.0, 0.0, 0.2, 1.0)),
                ids=rng.random() < 0.15, retry=rng.random() < 0.1,
                json_style=rng.choice(("compact", "compact", "spaced", "ascii")))


def dump_json(payload: Any, style: str = "compact") -> bytes:
    if style == "spaced":
        return json.dumps(payload, ensure_ascii=False).encode()
    if style == "ascii":
        return json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()
    return orjson.dumps(payload)


def encode_events(events: list[Event], wire: Wire, rng: random.Random) -> bytes:
    out = bytearray()
    end, colon = wire.line_end, b": " if wire.space_after_colon else b":"
    for number, (name, payload) in enumerate(events):
        if wire.comments and rng.random() < wire.comments:
            out += b":" + rng.choice((b"", b" keep-alive", b" \xf0\x9f\x92\x93")) + end
        lines = [b"event" + colon + name.encode(), b"data" + colon + dump_json(payload, wire.json_style)]
        if wire.data_first:
            lines.reverse()
        if wire.ids:
            lines.append(b"id" + colon + str(number).encode())
        if wire.retry and number == 0:
            lines.append(b"retry" + colon + b"3000")
        out += end.join(lines) + end + end
    return bytes(out)


def split_bytes(data: bytes, rng: random.Random) -> list[bytes]:
    """Chunks as a network delivers them: cut anywhere, inside UTF-8 characters and line ends too."""
    if not data:
        return [data]
    cuts = {rng.randint(1, len(data)) for _ in range(rng.randint(0, 12))}
    for _ in range(rng.randint(0, 4)):  # a cut inside a UTF-8 character or a CRLF, at or after a random place
        found = _TRICKY.search(data, rng.randint(1, len(data)))
        if found is not None:
            cuts.add(found.end() - 1)
    bounds = [0, *sorted(c for c in cuts if 0 < c < len(data)), len(data)]
    return [data[a:b] for a, b in zip(bounds, bounds[1:])]

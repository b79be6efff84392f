"""Fuzzed replies in words and bytes, for a failure report: what each reply was, and the bytes as sent."""

from __future__ import annotations

from typing import Sequence

from .profiles import Simplify
from .replies import Drawn

SHOWN_BYTES = 1500  # of each reply; the rest is summarised


def blocks_of(drawn: Drawn) -> int:
    """Content blocks the reply carries (or had begun, for an interrupted stream)."""
    if drawn.message is not None:
        return len(drawn.message["content"])
    if drawn.events is not None:
        return sum(1 for name, _ in drawn.events if name == "content_block_start")
    return 0


def size(sent: Sequence[Drawn]) -> str:
    """`2 replies, 1 block, 310 bytes`: how big a (shrunk) reply sequence is."""
    blocks, octets = sum(blocks_of(d) for d in sent), sum(len(d.body) for d in sent)
    return f"{len(sent)} {'reply' if len(sent) == 1 else 'replies'}, {counted(blocks, 'block')}, {octets} bytes"


def counted(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def summary(drawn: Drawn) -> str:
    kind = "SSE" if drawn.streamed else "JSON"
    words = f"{drawn.status} {kind}, {counted(blocks_of(drawn), 'block')}, {counted(len(drawn.chunks), 'chunk')}"
    if drawn.fault:
        words += f"; fault: {drawn.fault}"
    return words


def describe(sent: Sequence[Drawn], draws: Sequence[tuple[int, Simplify]] = ()) -> str:
    """Every reply: a line about it, then its bytes chunk by chunk (` | ` marks where a chunk ends)."""
    if not sent:
        return "the mock sent no fuzzed reply (was a Messages request made?)"
    lines = [f"the mock sent {size(sent)}:"]
    for number, drawn in enumerate(sent, 1):
        how = f" [seed {draws[number - 1][0]}, {str(draws[number - 1][1]) or 'no limits'}]" if len(draws) >= number else ""
        lines.append(f"reply {number}: {summary(drawn)}{how}")
        headers = " ".join(f"{k}: {v}" for k, v in drawn.headers.items())
        if headers:
            lines.append(f"  headers: {headers}")
        lines.append("  bytes: " + shown(drawn.chunks))
    return "\n".join(lines)


def shown(chunks: Sequence[bytes]) -> str:
    text, total = [], 0
    for chunk in chunks:
        if total + len(chunk) > SHOWN_BYTES:
            text.append(repr(chunk[: SHOWN_BYTES - total])[:-1] + f"...' (+{sum(map(len, chunks)) - SHOWN_BYTES} "
                        "bytes)")
            break
        text.append(repr(chunk))
        total += len(chunk)
    return " | ".join(text)

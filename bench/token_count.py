"""python -m bench.token_count: the time to count a prompt's input tokens, per MB of request body.

Three 1 MB prompts through `count_tokens` (the same accounting as Messages usage): one long text,
a thousand 1 KB text blocks over many turns, and a tool conversation (tools, tool_use and
tool_result rounds, a PNG image per round). Each figure is the best of several runs in this
process (a fresh tokenizer memo each time, so nothing is counted from cache). Writes
bench/results/token-count.md. The goal: under 20 ms per MB.
"""

from __future__ import annotations

import base64
import random
import struct
import sys
import time
from pathlib import Path
from typing import Any, Callable

import orjson

from mockserver.engine import EngineContext, count_tokens, tokenizer

RESULTS = Path(__file__).resolve().parent / "results" / "token-count.md"
MB = 1 << 20
RUNS = 7
GOAL_MS = 20.0
_WORDS = ("the tide turns twice a day while harbour lights blink over 42 quiet boats and "
          "a keeper writes the readings down").split()


def _prose(size: int, rng: random.Random) -> str:
    words, length = [], 0
    while length < size:
        word = rng.choice(_WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size]


def long_text(rng: random.Random) -> dict[str, Any]:
    return {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": _prose(MB, rng)}]}


def many_blocks(rng: random.Random) -> dict[str, Any]:
    messages = [{"role": "user" if i % 2 == 0 else "assistant",
                 "content": [{"type": "text", "text": _prose(1024, rng)} for _ in range(10)]} for i in range(101)]
    return {"model": "claude-haiku-4-5", "system": _prose(4096, rng), "messages": messages}


def tool_rounds(rng: random.Random) -> dict[str, Any]:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + struct.pack(">II", 800, 600) + bytes(2000)).decode()
    tool = {"name": "read_gauge", "description": "Read a tide gauge",
            "input_schema": {"type": "object", "properties": {"station": {"type": "string"}}}}
    messages: list[dict[str, Any]] = [{"role": "user", "content": "Read every gauge."}]
    for i in range(200):
        messages.append({"role": "assistant", "content": [
            {"type": "tool_use", "id": f"toolu_{i}", "name": "read_gauge", "input": {"station": f"s{i}"}}]})
        messages.append({"role": "user", "content": [{"type": "tool_result", "tool_use_id": f"toolu_{i}", "content": [
            {"type": "text", "text": _prose(2200, rng)}, {"type": "image", "source": {
                "type": "base64", "media_type": "image/png", "data": png}}]}]})
    return {"model": "claude-haiku-4-5", "tools": [tool], "messages": messages}


PROMPTS: dict[str, Callable[[random.Random], dict[str, Any]]] = {
    "one 1 MB text": long_text, "1,000 text blocks of 1 KB": many_blocks,
    "tool rounds with images": tool_rounds}


def measure(request: dict[str, Any]) -> tuple[float, float]:
    """(best milliseconds per MB of body, body MB)."""
    megabytes = len(orjson.dumps(request)) / MB
    best = float("inf")
    for _ in range(RUNS):
        tokenizer._COUNTS.clear()  # a cold count, as for a prompt never seen before
        started = time.perf_counter()
        count_tokens(request, EngineContext(rng=random.Random(0), now=0.0))
        best = min(best, time.perf_counter() - started)
    return best * 1000 / megabytes, megabytes


def main() -> int:
    rng = random.Random(7)
    lines = ["# Counting input tokens, per MB of request body", "",
             f"`count_tokens` in-process, best of {RUNS} cold runs (`python -m bench.token_count`). "
             f"Goal: under {GOAL_MS:.0f} ms per MB.", "",
             "| prompt | body MB | ms per MB | goal |", "|---|---:|---:|---|"]
    for name, build in PROMPTS.items():
        per_mb, megabytes = measure(build(rng))
        lines.append(f"| {name} | {megabytes:.2f} | {per_mb:.1f} | {'met' if per_mb < GOAL_MS else 'missed'} |")
    RESULTS.write_text("\n".join(lines) + "\n")
    print(RESULTS.read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The large-bodies row (issue 23, F1): how long the mock takes over a Messages body of 1, 8 and
30 MB of small text blocks, and how long a second client's ordinary request takes meanwhile,
against that same request's latency on the quiet server."""

from __future__ import annotations

import json
import statistics
import threading
import time

from . import payloads
from .servers import Running, Server, mock, request

SIZES_MB = (1, 8, 30)
BLOCK = {"type": "text", "text": "hi there"}


def body_of(megabytes: float) -> bytes:
    blocks = [BLOCK] * int(megabytes * 1024 * 1024 / len(json.dumps(BLOCK, separators=(",", ":"))))
    document = {**payloads.MESSAGE, "messages": [{"role": "user", "content": blocks}]}
    return json.dumps(document, separators=(",", ":")).encode()


def _timed(port: int, body: bytes) -> float:
    started = time.perf_counter()
    status, _, _ = request(port, body, timeout=300)
    if status != 200:
        raise RuntimeError(f"the mock answered {status}")
    return time.perf_counter() - started


def _bystander(port: int, small: bytes, stop: threading.Event, seen: list[float]) -> None:
    while not stop.is_set():
        seen.append(_timed(port, small))
        time.sleep(0.01)


def measure(running: Running, megabytes: float) -> dict[str, float]:
    small, big = json.dumps(payloads.MESSAGE).encode(), body_of(megabytes)
    quiet = statistics.median(_timed(running.port, small) for _ in range(20))
    stop, seen = threading.Event(), []
    watcher = threading.Thread(target=_bystander, args=(running.port, small, stop, seen), daemon=True)
    watcher.start()
    took = _timed(running.port, big)
    stop.set()
    watcher.join(60)
    return {"mb": len(big) / 1e6, "seconds": took, "quiet_ms": quiet * 1000,
            "bystander_max_ms": max(seen, default=0.0) * 1000,
            "bystander_median_ms": statistics.median(seen) * 1000 if seen else 0.0, "bystander_requests": len(seen)}


def run(logs, sizes: tuple[float, ...] = SIZES_MB) -> str:
    """The Markdown table for `sizes` (MB), measured on one freshly started mock."""
    running = Running(Server("mock", "anthropic-mockserver", mock(), "mock"), logs)
    try:
        running.wait_answer(json.dumps(payloads.MESSAGE).encode())
        rows = [measure(running, size) for size in sizes]
    finally:
        running.stop()
    lines = ["| body | mock's time | second client: quiet median | during: median | during: max | requests |",
             "|---:|---:|---:|---:|---:|---:|"]
    lines += [f"| {r['mb']:.1f} MB | {r['seconds']:.2f} s | {r['quiet_ms']:.1f} ms | {r['bystander_median_ms']:.1f} ms | "
              f"{r['bystander_max_ms']:.1f} ms | {r['bystander_requests']:.0f} |" for r in rows]
    return "\n".join(lines)

"""One measurement: wrk against one server for a few seconds, with the server's CPU time read around it."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

from .servers import Running

LUA = Path(__file__).resolve().parent / "post.lua"


@dataclass(frozen=True, slots=True)
class Workload:
    key: str  # "c1" | "c32" | "stream"
    connections: int
    body: Path
    streamed: bool = False


@dataclass(frozen=True, slots=True)
class Sample:
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    bytes_per_reply: float
    errors: int  # socket errors, timeouts and non-2xx answers
    cpu_us: float  # the server's CPU time (all its processes) per answered request

    def to_json(self) -> dict:
        return asdict(self)


def measure(wrk: str, server: Running, workload: Workload, seconds: int, path: str) -> Sample:
    command = [wrk, "-t1", f"-c{workload.connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA),
               server.url(path)]
    env = {**os.environ, "BENCH_BODY": str(workload.body)}
    if workload.streamed:
        env["BENCH_ACCEPT"] = "text/event-stream"
    cpu_before = server.cpu_seconds()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    cpu = server.cpu_seconds() - cpu_before
    line = next((l for l in done.stdout.splitlines() if l.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {server.server.key}: {done.stdout}{done.stderr}")
    raw = json.loads(line[len("BENCH "):])
    answered = max(raw["requests"], 1)
    return Sample(
        requests=raw["requests"],
        rps=raw["requests"] / (raw["duration_us"] / 1e6),
        p50_ms=raw["p50_us"] / 1000,
        p99_ms=raw["p99_us"] / 1000,
        bytes_per_reply=raw["bytes"] / answered,
        errors=sum(raw["errors"].values()),
        cpu_us=cpu * 1e6 / answered,
    )

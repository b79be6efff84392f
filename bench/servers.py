"""The servers under test: how to start each on a loopback port, when it answers, what it costs."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import install, payloads

REPO = install.BENCH.parent
MOCK = [str(Path(sys.executable).parent / "mockserver"), "serve"]
BASELINE = [sys.executable, "-m", "bench.baselines"]
HOST = "127.0.0.1"
_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True, slots=True)
class Server:
    key: str
    label: str
    command: Callable[[int], list[str]]
    kind: str  # "mock" | "ceiling" | "peer"
    env: dict[str, str] = field(default_factory=dict)


def mock(*flags: str) -> Callable[[int], list[str]]:
    return lambda port: [*MOCK, "--port", str(port), "--seed", "1", *flags]


# Every Messages call passes through a stateful rule: one counter transaction per request.
COUNTER_RULE = """rules:
  - id: counted
    match: {operation: messages_create}
    times: 1000000000
    respond: {headers: {x-bench-counted: "1"}}
"""


def catalog(peer_spec: Path | None, capture: dict[str, Path], store_url: str | None = None) -> list[Server]:
    files = {"BENCH_REPLY": str(capture["reply"]), "BENCH_EVENTS": str(capture["events"]),
             "BENCH_HEADERS": str(capture["headers"])}
    rule = capture["reply"].parent / "counter-rule.yaml"
    rule.write_text(COUNTER_RULE)
    store = ["--store", store_url or "postgresql://unavailable"]  # without a server those rows fail, alone
    servers = [
        Server("mock", "mock", mock(), "mock"),
        Server("mock-stateless", "mock `--stateless`", mock("--stateless"), "mock"),
        Server("mock-w2", "mock `--workers 2`", mock("--workers", "2"), "mock"),
        Server("mock-echo", "mock `--reply echo`", mock("--reply", "echo"), "mock"),
        Server("mock-replay", "mock replaying a cassette (`--cassettes`)",
               mock("--cassettes", str(capture.get("cassettes", "cassettes"))), "mock"),
        Server("mock-rule", "mock, counter rule (SQLite)", mock("--rules", str(rule)), "mock"),
        Server("mock-pg", "mock `--store postgresql`", mock(*store), "mock"),
        Server("mock-pg-rule", "mock `--store postgresql`, counter rule", mock(*store, "--rules", str(rule)), "mock"),
        Server("mock-journal", "mock `--journal`", mock("--journal"), "mock"),
        Server("mock-pg-journal", "mock `--store postgresql --journal`", mock(*store, "--journal"), "mock"),
        Server("raw", "raw ASGI (ceiling)", lambda p: [*BASELINE, "raw", "--port", str(p)], "ceiling", files),
        Server("raw-w2", "raw ASGI `--workers 2`",
               lambda p: [*BASELINE, "raw", "--port", str(p), "--workers", "2"], "ceiling", files),
        Server("raw-rp2", "raw ASGI, 2 processes with SO_REUSEPORT",
               lambda p: [*BASELINE, "raw", "--port", str(p), "--reuseport", "2"], "ceiling", files),
        Server("starlette", "Starlette + orjson", lambda p: [*BASELINE, "starlette", "--port", str(p)], "ceiling",
               files),
    ]
    if peer_spec is not None:
        spec = str(peer_spec)
        steady = [str(install.STEADY), "--host", HOST, "--no-color"]
        prism = [str(install.PRISM), "mock", "-h", HOST]
        servers += [
            Server("steady-q", "Steady `-q`", lambda p: [*steady, "-p", str(p), "-q", spec], "peer"),
            Server("steady", "Steady (default logging)", lambda p: [*steady, "-p", str(p), spec], "peer"),
            Server("prism-silent", "Prism `-v silent`", lambda p: [*prism, "-p", str(p), "-v", "silent", spec],
                   "peer"),
            Server("prism", "Prism (default logging)", lambda p: [*prism, "-p", str(p), spec], "peer"),
        ]
        fixtures, chunk = aimock_fixtures(capture)
        servers.append(Server("aimock", "aimock (fixtures)", lambda p: [
            str(install.AIMOCK), "-p", str(p), "-h", HOST, "-f", str(fixtures), "-c", str(chunk),
            "--log-level", "silent", "--journal-max", "1000"], "peer"))
    return servers


def aimock_fixtures(capture: dict[str, Path]) -> tuple[Path, int]:
    """aimock's fixtures: the mock's own reply text for the bench's message, and its streamed text
    for the stream workload, cut into as many deltas as the mock sends; and that chunk size."""
    reply = json.loads(capture["reply"].read_bytes())
    text = "".join(block.get("text", "") for block in reply["content"])
    deltas = [json.loads(line[6:]) for line in capture["events"].read_text().splitlines()
              if line.startswith("data: ") and '"text_delta"' in line]
    streamed = "".join(d["delta"]["text"] for d in deltas)
    fixtures = capture["reply"].parent / "aimock-fixtures.json"
    fixtures.write_text(json.dumps({"fixtures": [
        {"match": {"userMessage": "fast and faithful mock server"}, "response": {"content": text}},
        {"match": {"userMessage": "quick brown fox"}, "response": {"content": streamed}},
    ]}))
    return fixtures, max(1, -(-len(streamed) // max(1, len(deltas))))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Running:
    """One started server: its process group is ours, and only ours, to stop."""

    def __init__(self, server: Server, logs: Path) -> None:
        self.server = server
        self.port = free_port()
        logs.mkdir(parents=True, exist_ok=True)
        self._log = (logs / f"{server.key}.log").open("wb")
        self.started_at = time.perf_counter()
        # Per-request log lines go to /dev/null: a peer's default logging still formats them.
        self.process = subprocess.Popen(server.command(self.port), cwd=REPO, env={**os.environ, **server.env},
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
                                        start_new_session=True)

    def url(self, path: str = "/v1/messages") -> str:
        return f"http://{HOST}:{self.port}{path}"

    def wait_answer(self, body: bytes, timeout: float = 60.0) -> float:
        """Seconds from the process start to its first 200 answer to `body`."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.server.key} exited with {self.process.returncode}; see its log")
            try:
                status, _, _ = request(self.port, body, timeout=5)
            except OSError:
                time.sleep(0.002)
                continue
            if status == 200:
                return time.perf_counter() - self.started_at
            time.sleep(0.01)
        raise RuntimeError(f"{self.server.key} did not answer within {timeout:.0f} s")

    def pids(self) -> list[int]:
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    todo += [int(c) for c in (task / "children").read_text().split()]
                except OSError:
                    pass
        return found

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / _TICKS

    def rss_bytes(self) -> int:
        total = 0
        for pid in self.pids():
            try:
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
            except OSError:
                continue
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log.close()


def request(port: int, body: bytes, path: str = "/v1/messages", timeout: float = 30.0,
            accept: str | None = None) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = dict(payloads.HEADERS)
        if accept:
            headers["accept"] = accept
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()

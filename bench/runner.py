"""The whole measurement: capture the mock's reply bytes, time start-ups, run interleaved rounds."""

from __future__ import annotations

import http.client
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import install, payloads, postgres
from .load import Sample, Workload, measure
from .servers import Running, Server, catalog, mock, request

RUN = install.CACHE / "run"
LOGS = install.CACHE / "logs"


@dataclass(frozen=True, slots=True)
class Target:
    """One column of load: a server, a workload, a path."""

    key: str
    server: str
    workload: str
    label: str
    path: str = "/v1/messages"


TARGETS = [
    *(Target(f"{server}/{load}", server, load, label) for load in ("c1", "c32") for server, label in (
        ("mock", "mock"),
        ("steady-q", "Steady `-q`"),
        ("steady", "Steady (default logging)"),
        ("prism", "Prism (default logging)"),
        ("prism-silent", "Prism `-v silent`"),
        ("aimock", "aimock (fixtures)"),
        ("raw", "raw ASGI (ceiling)"),
        ("starlette", "Starlette + orjson"),
        ("mock-stateless", "mock `--stateless`"),
        ("mock-replay", "mock replaying a cassette (`--cassettes`)"),
        ("mock-w2", "mock `--workers 2`"),
        ("raw-w2", "raw ASGI `--workers 2`"),
        ("raw-rp2", "raw ASGI, 2 processes with SO_REUSEPORT"),
        ("mock-rule", "mock, counter rule (SQLite)"),
        ("mock-pg", "mock `--store postgresql`"),
        ("mock-pg-rule", "mock `--store postgresql`, counter rule"),
        ("mock-journal", "mock `--journal`"),
        ("mock-pg-journal", "mock `--store postgresql --journal`"),
    )),
    Target("mock-echo/stream", "mock-echo", "stream", "mock `--reply echo`"),
    Target("aimock/stream", "aimock", "stream", "aimock (fixtures), streamed"),
    Target("raw/stream", "raw", "stream", "raw ASGI, one write per event (ceiling)"),
    Target("raw-whole/stream", "raw", "stream", "raw ASGI, whole stream in one write", "/v1/messages?whole=1"),
    Target("starlette/stream", "starlette", "stream", "Starlette StreamingResponse"),
]


@dataclass(slots=True)
class Options:
    rounds: int = 8
    seconds: int = 3
    startup_rounds: int = 3
    warmup_seconds: int = 1
    peers: bool = True
    only: frozenset[str] = frozenset()  # server keys; empty: all
    quick: bool = False


@dataclass(slots=True)
class Results:
    options: Options
    versions: dict[str, str]
    servers: dict[str, Server] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    samples: dict[str, list[Sample]] = field(default_factory=dict)  # target key -> one per round
    startup: dict[str, list[float]] = field(default_factory=dict)  # server key -> seconds, one per start
    rss: dict[str, int] = field(default_factory=dict)  # server key -> bytes after the run
    rss_idle: dict[str, int] = field(default_factory=dict)  # server key -> bytes after its first answer
    probes: dict[str, dict] = field(default_factory=dict)  # target key -> what one reply looked like
    failed: dict[str, str] = field(default_factory=dict)  # server or target key -> why
    started: float = field(default_factory=time.time)
    finished: float = 0.0

    def median(self, target: str, metric: str) -> float | None:
        values = [getattr(s, metric) for s in self.samples.get(target, ())]
        return statistics.median(values) if values else None

    def ratios(self, target: str, versus: str, metric: str = "rps") -> list[float]:
        """target/versus in each round, both measured within that round."""
        pairs = zip(self.samples.get(target, ()), self.samples.get(versus, ()))
        return [getattr(a, metric) / getattr(b, metric) for a, b in pairs if getattr(b, metric)]

    def ratio(self, target: str, versus: str, metric: str = "rps") -> float | None:
        """Median over rounds of target/versus."""
        values = self.ratios(target, versus, metric)
        return statistics.median(values) if values else None


def say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def run(options: Options) -> Results:
    wrk = install.wrk()
    peers = options.peers and install.peers()
    results = Results(options, install.versions(wrk, peers))
    bodies = payloads.write(RUN)
    workloads = {
        "c1": Workload("c1", 1, bodies["message"]),
        "c32": Workload("c32", 32, bodies["message"]),
        "stream": Workload("stream", 32, bodies["stream"], streamed=True),
    }
    capture = capture_mock_bytes(bodies)
    capture["cassettes"] = record_cassette(bodies)
    database = postgres.start(options.only)
    if database is not None:
        results.versions["postgresql"] = postgres.settings(database)
    try:
        return _run(options, results, bodies, workloads, wrk, peers, capture, database)
    finally:
        if database is not None:
            database.destroy()


def _run(options: Options, results: Results, bodies: dict[str, Path], workloads: dict[str, Workload], wrk: str,
         peers: bool, capture: dict[str, Path], database: postgres.PostgresServer | None) -> Results:
    everything = catalog(install.peer_spec() if peers else None, capture, database.url if database else None)
    unknown = options.only - {s.key for s in everything}
    if unknown:
        raise SystemExit(f"unknown server keys: {', '.join(sorted(unknown))}")
    servers = [s for s in everything if not options.only or s.key in options.only]
    results.servers = {s.key: s for s in servers}
    results.targets = [t for t in TARGETS if t.server in results.servers]
    message = bodies["message"].read_bytes()

    say(f"start-up: {options.startup_rounds} round(s) of {len(servers)} servers")
    for _ in range(options.startup_rounds):
        for server in servers:
            if server.key in results.failed:
                continue
            started = Running(server, LOGS)
            try:
                results.startup.setdefault(server.key, []).append(started.wait_answer(message))
            except RuntimeError as error:
                results.failed[server.key] = str(error)
            finally:
                started.stop()

    running: dict[str, Running] = {}
    try:
        for server in servers:
            if server.key in results.failed:
                continue
            running[server.key] = Running(server, LOGS)
        for key, server in list(running.items()):
            try:
                server.wait_answer(message)
            except RuntimeError as error:
                results.failed[key] = str(error)
                server.stop()
                del running[key]
                continue
            results.rss_idle[key] = server.rss_bytes()
        targets = [t for t in results.targets if t.server in running and _probe(t, running[t.server], workloads,
                                                                                 results)]
        say(f"warm-up: {options.warmup_seconds} s per target")
        for target in targets:
            measure(wrk, running[target.server], workloads[target.workload], options.warmup_seconds, target.path)
        total = options.rounds * len(targets) * options.seconds
        say(f"{options.rounds} round(s) x {len(targets)} targets x {options.seconds} s: about {total / 60:.1f} min")
        for round_number in range(options.rounds):
            for workload in ("c1", "c32", "stream"):
                for target in (t for t in targets if t.workload == workload):
                    sample = measure(wrk, running[target.server], workloads[workload], options.seconds, target.path)
                    results.samples.setdefault(target.key, []).append(sample)
            say(f"round {round_number + 1}/{options.rounds} done")
        for key, server in running.items():
            results.rss[key] = server.rss_bytes()
    finally:
        for server in running.values():
            server.stop()
    results.finished = time.time()
    return results


def capture_mock_bytes(bodies: dict[str, Path]) -> dict[str, Path]:
    """The mock's own reply and stream (headers too), for the ceilings to serve byte for byte."""
    capture = {"reply": RUN / "reply.json", "events": RUN / "events.sse", "headers": RUN / "headers.json"}
    plain = Running(Server("capture", "mock", mock(), "mock"), LOGS)
    echo = Running(Server("capture-echo", "mock `--reply echo`", mock("--reply", "echo"), "mock"), LOGS)
    try:
        message = bodies["message"].read_bytes()
        plain.wait_answer(message)
        echo.wait_answer(message)
        _, reply_headers, reply = request(plain.port, message)
        _, stream_headers, events = request(echo.port, bodies["stream"].read_bytes(), accept="text/event-stream")
    finally:
        plain.stop()
        echo.stop()
    capture["reply"].write_bytes(reply)
    capture["events"].write_bytes(events)
    capture["headers"].write_text(json.dumps({"reply": _own(reply_headers), "events": _own(stream_headers)}))
    return capture


def record_cassette(bodies: dict[str, Path]) -> Path:
    """A cassette holding the benchmark's Messages call, recorded through the proxy from a plain mock,
    for `mock-replay` (replaying) to be compared with `mock` (synthesising) by CPU per request."""
    folder = RUN / "cassettes"
    for old in folder.glob("*.yaml"):
        old.unlink()
    upstream = Running(Server("record-upstream", "mock", mock(), "mock"), LOGS)
    message = bodies["message"].read_bytes()
    try:
        upstream.wait_answer(message)
        proxy = Running(Server("recorder", "mock recording", mock("--proxy", f"http://127.0.0.1:{upstream.port}",
                                                                    "--cassettes", str(folder)), "mock"), LOGS)
        try:
            proxy.wait_answer(message)  # the first answer is the one recorded
        finally:
            proxy.stop()
    finally:
        upstream.stop()
    return folder


def _own(headers: dict[str, str]) -> list[tuple[str, str]]:
    """The headers the app sends, less the framing (uvicorn adds date and server; the ceilings, the length)."""
    return [(k, v) for k, v in headers.items() if k not in ("date", "server", "transfer-encoding", "connection",
                                                            "keep-alive", "content-length")]


def _probe(target: Target, server: Running, workloads: dict[str, Workload], results: Results) -> bool:
    """One request by hand: the answer must be a 200; streams are counted event by event."""
    workload = workloads[target.workload]
    sent = workload.body.read_bytes()
    try:
        status, headers, body = request(server.port, sent, target.path,
                                        accept="text/event-stream" if workload.streamed else None)
    except (OSError, http.client.HTTPException) as error:
        results.failed[target.key] = f"probe failed: {error!r}"
        return False
    probe = {"status": status, "bytes": len(body), "request_bytes": len(sent),
             "content_type": headers.get("content-type", "")}
    if workload.streamed:
        names = [line[6:].strip() for line in body.decode().splitlines() if line.startswith("event:")]
        probe["events"] = len(names)
        probe["deltas"] = names.count("content_block_delta")
        probe["sse"] = probe["content_type"].startswith("text/event-stream")
    results.probes[target.key] = probe
    if status != 200:
        results.failed[target.key] = f"answered {status}: {body[:200]!r}"
        return False
    return True

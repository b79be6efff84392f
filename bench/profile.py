"""Where the mock's time goes: py-spy samples under wrk load, grouped by layer of the request path.

Also times and weighs the start-up stages (imports, spec, validators, the rest of create_app) in
fresh interpreters. Writes bench/results/profile.md.
"""

from __future__ import annotations

import collections
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import install, payloads, runner
from .load import LUA, Workload, measure
from .servers import Running, Server, catalog, mock

RESULTS = Path(__file__).resolve().parent / "results"
RATE = 250  # samples per second
RUN = install.CACHE / "run"
LOGS = install.CACHE / "logs"

# The deepest frame that matches decides a sample's layer (C code such as orjson, jsonschema-rs or
# httptools has no frame: it counts for the Python frame that called it).
LAYERS = [
    ("gate: headers, auth, version, betas, body read, JSON parse", ("mockserver/http/gate.py",
                                                                    "mockserver/spec/loader.py", "starlette/")),
    ("validation (jsonschema-rs)", ("mockserver/spec/validation.py", "mockserver/spec/explain.py")),
    ("router", ("mockserver/spec/operations.py",)),
    ("request id", ("mockserver/http/request_ids.py", "mockserver/ids.py")),
    ("call: seeded rng, canonical body", ("mockserver/call.py",)),
    ("engine: SSE events from the message", ("mockserver/engine/streaming.py",)),
    ("engine: message synthesis", ("mockserver/engine/", "mockserver/catalog.py")),
    ("handler glue, usage record, store", ("mockserver/resources/", "mockserver/store.py")),
    ("stateless example reply", ("mockserver/examples.py",)),
    ("rate limits: buckets and anthropic-ratelimit-* headers", ("mockserver/ratelimit.py",)),
    ("behaviour: rules, faults, journal", ("mockserver/scenarios/", "mockserver/faults.py", "mockserver/journal.py")),
    ("render: JSON / SSE encoding, headers", ("mockserver/http/render.py", "mockserver/http/sse.py",
                                              "mockserver/http/replies.py")),
    ("errors", ("mockserver/http/errors.py",)),
    ("app dispatch", ("mockserver/app.py",)),
    ("uvicorn + httptools: parsing, ASGI glue, socket writes", ("uvicorn/protocols/", "uvicorn/middleware/")),
]
OTHER = "event loop and other (uvloop, asyncio)"


def _layer(frames: list[str]) -> str:
    found = OTHER
    for frame in frames:
        for name, markers in LAYERS:
            if any(marker in frame for marker in markers):
                found = name
                break
    return found


def _read_folded(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            stacks.append((stack.split(";") if stack else [], int(count)))
    return stacks


def _short(frame: str) -> str:
    """`function (path/file.py:line)` -> `function (path/file.py)`: lines of one function add up."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name


SERVER_LAYERS = ("uvicorn + httptools: parsing, ASGI glue, socket writes", OTHER)


def breakdown(folded: Path, cpu_us: float, ceiling_us: float) -> list[str]:
    """Layers by share of samples; the mock's own work (its CPU per request less the ceiling's, both
    read from /proc side by side) spread over the mock's layers by their shares among themselves."""
    stacks = _read_folded(folded)
    total = sum(count for _, count in stacks) or 1
    layers: collections.Counter[str] = collections.Counter()
    leaf: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    for frames, count in stacks:
        layers[_layer(frames)] += count
        if frames:
            leaf[_short(frames[-1])] += count
        for frame in {_short(f) for f in frames if "mockserver/" in f and "mockserver/cli.py" not in f}:
            inclusive[frame] += count
    own = sum(count for name, count in layers.items() if name not in SERVER_LAYERS) or 1
    own_us = max(cpu_us - ceiling_us, 0.0)
    lines = [f"CPU per request, without the profiler: mock {cpu_us:.0f} µs, raw ASGI ceiling serving the same "
             f"bytes in as many writes {ceiling_us:.0f} µs, so the mock's own work is ≈ {own_us:.0f} µs. {total} samples.", "",
             "| layer | share of samples | ≈ µs of own work / request |", "|---|---:|---:|"]
    for name, count in layers.most_common():
        share = f"{own_us * count / own:.0f}" if name not in SERVER_LAYERS else "(server)"
        lines.append(f"| {name} | {100 * count / total:.1f}% | {share} |")
    lines += ["", "<details><summary>Top functions: self time (leaf frames)</summary>", "",
              "| function | share |", "|---|---:|"]
    lines += [f"| `{name}` | {100 * count / total:.1f}% |" for name, count in leaf.most_common(25)]
    lines += ["", "</details>", "", "<details><summary>Top mock functions: inclusive time</summary>", "",
              "| function | share |", "|---|---:|"]
    lines += [f"| `{name}` | {100 * count / total:.1f}% |" for name, count in inclusive.most_common(30)]
    lines += ["", "</details>", ""]
    return lines


def _cpu_per_request(wrk: str, servers: list[tuple[Running, str]], workload: Workload, seconds: int) -> list[float]:
    """CPU µs per request of each (server, path), median of 3 interleaved measurements."""
    samples: list[list[float]] = [[] for _ in servers]
    for _ in range(3):
        for index, (server, path) in enumerate(servers):
            samples[index].append(measure(wrk, server, workload, seconds, path).cpu_us)
    return [statistics.median(values) for values in samples]


def _profile_load(spy: str, wrk: str, server: Server, ceiling: Server, workload: Workload,
                  seconds: int) -> tuple[Path, float, float]:
    message = payloads.write(RUN)["message"].read_bytes()
    running = Running(server, LOGS)
    raw = Running(ceiling, LOGS)
    try:
        running.wait_answer(message)
        raw.wait_answer(message)
        for each in (running, raw):
            measure(wrk, each, workload, 1, "/v1/messages")  # warm-up
        # The mock writes a stream in one piece when unpaced: so does its ceiling here.
        whole = "/v1/messages?whole=1" if workload.streamed else "/v1/messages"
        cpu_us, ceiling_us = _cpu_per_request(wrk, [(running, "/v1/messages"), (raw, whole)], workload,
                                              min(seconds, 3))
        load = subprocess.Popen(
            [wrk, "-t1", f"-c{workload.connections}", f"-d{seconds + 2}s", "-s", str(LUA), running.url()],
            env={"BENCH_BODY": str(workload.body), "PATH": "/usr/bin:/bin",
                 **({"BENCH_ACCEPT": "text/event-stream"} if workload.streamed else {})},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        folded = RUN / f"profile-{server.key}-{workload.key}.folded"
        # py-spy pauses the server for each sample (whole stacks); that overstates time in socket writes
        # (it shows in the server rows, which the own-work column leaves out).
        subprocess.run([spy, "record", "--pid", str(running.process.pid), "--rate", str(RATE),
                        "--duration", str(seconds), "--format", "raw", "-o", str(folded)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        load.wait(timeout=seconds + 30)
    finally:
        running.stop()
        raw.stop()
    return folded, cpu_us, ceiling_us


_ENGINE = r"""
import json, random, sys, time
import orjson
from mockserver import engine
from mockserver.engine.context import EngineContext
from mockserver.http.sse import encode_event
out = {}
for label, path, mode in (("message", sys.argv[1], "prose"), ("stream", sys.argv[2], "echo")):
    body = orjson.loads(open(path, "rb").read())
    def once():
        ctx = EngineContext(rng=random.Random(1), now=1.7e9, reply_mode=mode)
        message = engine.create_message(body, ctx)
        if body.get("stream"):
            return b"".join(encode_event(n, p) for n, p in engine.message_events(message))
        return orjson.dumps(message)
    def synth():
        return engine.create_message(body, EngineContext(rng=random.Random(1), now=1.7e9, reply_mode=mode))
    for _ in range(300):
        once()
    best = {}
    encoded = "create_message + SSE events + encoding" if label == "stream" else "create_message + JSON encoding"
    for name, function in (("create_message", synth), (encoded, once)):
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(400):
                function()
            runs.append((time.perf_counter() - start) / 400 * 1e6)
        best[name] = min(runs)
    out[label] = best
print(json.dumps(out))
"""


def engine_in_process(bodies: dict[str, Path]) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _ENGINE, str(bodies["message"]), str(bodies["stream"])],
                          cwd=install.BENCH.parent, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        return [f"(not measured: {done.stderr.strip().splitlines()[-1:]})", ""]
    timings = json.loads(done.stdout)
    lines = ["The engine alone, called in process (best of 5 × 400 calls, no HTTP): a cross-check of the "
             "engine rows above.", "", "| request | step | µs |", "|---|---|---:|"]
    for request, steps in timings.items():
        for step, micros in steps.items():
            lines.append(f"| {request} | {step} | {micros:.0f} |")
    return lines + [""]


_STAGES = r"""
import json, sys, time
t0 = time.perf_counter()
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
out = [("interpreter", 0.0, rss())]
def stage(name):
    out.append((name, time.perf_counter() - t0, rss()))
import uvicorn, uvloop, httptools, starlette.applications, orjson, yaml, jsonschema_rs
stage("import uvicorn, starlette, orjson, yaml, jsonschema-rs")
from mockserver.app import create_app
from mockserver.config import Config
stage("import mockserver")
from mockserver.spec import load_spec
spec = load_spec(Config().spec_path)
stage("load_spec (parse openapi/anthropic.yaml)")
if sys.argv[1] == "validators":
    from mockserver.spec.operations import index_operations
    from mockserver.spec.validation import Validators
    v = Validators(spec, index_operations(spec))
    stage("compile body validators")
    out.append(("count", len(v._compiled), len(v.versions)))
else:
    create_app(Config())
    stage("create_app (validators and everything else)")
print(json.dumps(out))
"""


def startup_stages() -> list[str]:
    runs = {}
    for mode in ("validators", "app"):
        done = subprocess.run([sys.executable, "-c", _STAGES, mode], cwd=install.BENCH.parent, capture_output=True,
                              text=True, timeout=120)
        if done.returncode != 0:
            return [f"(start-up stages not measured: {done.stderr.strip().splitlines()[-1:]})", ""]
        runs[mode] = json.loads(done.stdout)
    lines = ["| stage | seconds | RSS after, MB |", "|---|---:|---:|"]
    previous = 0.0
    app = runs["app"]
    for name, at, rss in app:
        lines.append(f"| {name} | {at - previous:.3f} | {rss:.0f} |")
        previous = at
    validators = runs["validators"]
    count = next((row for row in validators if row[0] == "count"), None)
    compile_row = next((row for row in validators if row[0] == "compile body validators"), None)
    spec_row = next((row for row in validators if row[0].startswith("load_spec")), None)
    if compile_row and spec_row:
        lines += ["", f"Of `create_app`, compiling the body validators alone takes {compile_row[1] - spec_row[1]:.3f} s "
                  f"and {compile_row[2] - spec_row[2]:.0f} MB"
                  + (f" ({count[1]} validator compiled at start-up, of {count[2]} API versions; the others on first use)."
                     if count else ".")]
    return lines + [""]


def run(seconds: int = 10) -> str:
    spy = install.py_spy()
    wrk = install.wrk()
    bodies = payloads.write(RUN)
    capture = runner.capture_mock_bytes(bodies)
    ceiling = next(server for server in catalog(None, capture) if server.key == "raw")
    sections = ["# Profile of the mock's hot path", "",
                f"- **Date**: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; `py-spy record` at {RATE} Hz "
                f"for {seconds} s while `wrk -t1 -c32` loads the server. Each sample counts for the deepest "
                "frame that belongs to a layer of the request path (C code such as orjson, jsonschema-rs or "
                "httptools counts for its Python caller).",
                "- *Own work* is the mock's CPU time per request less that of the raw ASGI app serving the same "
                "bytes and headers (both from /proc, measured side by side before sampling); it is spread over "
                "the mock's layers by their shares of the samples. The server rows (uvicorn, event loop) are "
                "overstated by the sampler, which pauses the process at each sample and so lengthens syscalls.",
                "- Regenerate: `bench/run --profile [--seconds N]`.", ""]
    cases = [
        ("Non-streaming `POST /v1/messages` (mock, default mode)", Server("mock", "mock", mock(), "mock"),
         Workload("c32", 32, bodies["message"])),
        ("Streaming `POST /v1/messages`, 100 text deltas (mock `--reply echo`)",
         Server("mock-echo", "mock", mock("--reply", "echo"), "mock"),
         Workload("stream", 32, bodies["stream"], streamed=True)),
    ]
    for title, server, workload in cases:
        print(f"[bench] profiling: {title}", file=sys.stderr, flush=True)
        folded, cpu_us, ceiling_us = _profile_load(spy, wrk, server, ceiling, workload, seconds)
        sections += [f"## {title}", ""] + breakdown(folded, cpu_us, ceiling_us)
    print("[bench] timing the engine and the start-up stages", file=sys.stderr, flush=True)
    sections += ["## The engine in process", ""] + engine_in_process(bodies)
    sections += ["## Start-up stages (fresh interpreter, in process)", ""] + startup_stages()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "profile.md"
    out.write_text("\n".join(sections))
    return out.read_text()

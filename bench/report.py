"""Results as Markdown (bench/results/latest.md) and JSON (latest.json), with the targets checked."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from dataclasses import asdict
from pathlib import Path

from .load import Sample
from .runner import TARGETS, Options, Results
from .servers import Server, catalog

RESULTS = Path(__file__).resolve().parent / "results"
MB = 1024 * 1024


def machine() -> dict[str, str]:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = next((l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")),
                  "0")
    return {"nproc": str(len(os.sched_getaffinity(0))), "cpu": cpu, "kernel": platform.release(),
            "memory_gb": f"{int(memory) / 1024 / 1024:.0f}", "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def commit() -> str:
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "mockserver", "openapi"], cwd=repo,
                               capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return f"{head} + uncommitted changes" if dirty else head


def targets(r: Results) -> list[tuple[str, str, str, bool | None, str]]:
    """(target, measured, goal, met, reference measured in the same run); met is None when not measured."""
    rows = []

    def ratio(name: str, a: str, b: str, goal: float | None, reference: str = "") -> None:
        """goal None: a cost we state, not a target."""
        value = r.ratio(a, b)
        spread = r.ratios(a, b)
        measured = "n/a" if value is None else f"{value:.2f}×"
        if len(spread) > 1:
            measured += f" ({min(spread):.2f}–{max(spread):.2f})"
        met = None if value is None or goal is None else value >= goal
        rows.append((name, measured, "stated" if goal is None else f"≥ {goal}×", met, reference))

    def times(a: str, b: str, metric: str = "rps") -> str:
        value = r.ratio(a, b, metric)
        return "–" if value is None else f"{value:.2f}×"

    def by_cpu(other: str, mock: str = "mock/c32") -> str:
        return f"by CPU per request: {times(other, mock, 'cpu_us')}"

    ratio("non-streaming c32 req/s: mock ÷ Steady `-q`", "mock/c32", "steady-q/c32", 1.5, by_cpu("steady-q/c32"))
    ratio("non-streaming c32 req/s: mock ÷ aimock", "mock/c32", "aimock/c32", 1.5, by_cpu("aimock/c32"))
    ratio("streaming streams/s: mock ÷ aimock", "mock-echo/stream", "aimock/stream", 1.5,
          by_cpu("aimock/stream", "mock-echo/stream"))
    ratio("non-streaming c32 req/s: mock ÷ Steady (default logging)", "mock/c32", "steady/c32", 1.5,
          by_cpu("steady/c32"))
    ratio("non-streaming c32 req/s: mock ÷ Prism (default logging)", "mock/c32", "prism/c32", 8,
          f"{by_cpu('prism/c32')}; mock ÷ Prism `-v silent`: {times('mock/c32', 'prism-silent/c32')}")
    ratio("non-streaming c32 req/s: mock ÷ raw ASGI ceiling", "mock/c32", "raw/c32", 0.5,
          f"{by_cpu('raw/c32')}; Starlette + orjson ÷ raw: {times('starlette/c32', 'raw/c32')}")
    ratio("streaming events/s: mock ÷ raw ASGI one write per event", "mock-echo/stream", "raw/stream", 0.5,
          f"{by_cpu('raw/stream', 'mock-echo/stream')}; raw whole-stream write ÷ raw per-event: "
          f"{times('raw-whole/stream', 'raw/stream')}")
    ratio("`--workers 2` ÷ 1 worker, non-streaming c32 req/s", "mock-w2/c32", "mock/c32", 1.5,
          f"raw ASGI `--workers 2` ÷ 1: {times('raw-w2/c32', 'raw/c32')}; "
          f"raw ASGI 2 × SO_REUSEPORT ÷ 1: {times('raw-rp2/c32', 'raw/c32')}")
    replay_cpu = r.ratio("mock-replay/c32", "mock/c32", "cpu_us")
    rows.append(("CPU per non-streaming request: replaying a cassette ÷ synthesising (c32)",
                 "n/a" if replay_cpu is None else f"{replay_cpu:.2f}×", "≤ 1×",
                 None if replay_cpu is None else replay_cpu <= 1,
                 f"at 1 connection: {times('mock-replay/c1', 'mock/c1', 'cpu_us')}; req/s c32: "
                 f"{times('mock-replay/c32', 'mock/c32')}"))
    ratio("`--store postgresql` ÷ SQLite, non-streaming c32 req/s", "mock-pg/c32", "mock/c32", 0.9,
          by_cpu("mock-pg/c32"))
    ratio("`--journal` on PostgreSQL ÷ in memory, c32 req/s (entries written before the last byte)",
          "mock-pg-journal/c32", "mock-journal/c32", None,
          f"`--journal` ÷ none, in memory: {times('mock-journal/c32', 'mock/c32')}, PostgreSQL: "
          f"{times('mock-pg-journal/c32', 'mock-pg/c32')}")
    ratio("`--store postgresql` ÷ SQLite, with a counter rule, c32 req/s", "mock-pg-rule/c32", "mock-rule/c32", 0.5,
          f"counter rule ÷ none, SQLite: {times('mock-rule/c32', 'mock/c32')}, PostgreSQL: "
          f"{times('mock-pg-rule/c32', 'mock-pg/c32')}")
    p99 = r.median("mock/c1", "p99_ms")
    raw_p99 = r.median("raw/c1", "p99_ms")
    rows.append(("p99 at 1 connection (mock)", "n/a" if p99 is None else f"{p99:.2f} ms", "< 2 ms",
                 None if p99 is None else p99 < 2, f"raw ASGI: {_num(raw_p99, '.2f')} ms"))
    raw_start = r.startup.get("raw")
    for key in ("mock", "mock-stateless"):
        starts = r.startup.get(key)
        value = statistics.median(starts) if starts else None
        rows.append((f"start-up to first answer ({r.servers[key].label if key in r.servers else key})",
                     "n/a" if value is None else f"{value * 1000:.0f} ms", "< 1 s",
                     None if value is None else value < 1,
                     f"raw ASGI: {_num(statistics.median(raw_start) * 1000 if raw_start else None, '.0f')} ms"))
    for key in ("mock", "mock-echo"):
        rss = r.rss.get(key)
        label = r.servers[key].label if key in r.servers else key
        reference = ", ".join(f"{r.servers[k].label}: {r.rss[k] / MB:.0f} MB" for k in ("raw", "steady-q")
                              if k in r.rss)
        rows.append((f"RSS after the run ({label})", "n/a" if rss is None else f"{rss / MB:.0f} MB", "< 120 MB",
                     None if rss is None else rss < 120 * MB, reference))
    return rows


def _num(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def markdown(r: Results, m: dict[str, str] | None = None) -> str:
    m, o = m or machine(), r.options
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(r.started))
    tools = ", ".join(f"{k} {v}" for k, v in r.versions.items())
    lines = [
        "# Benchmark results",
        "",
        f"- **Date**: {when} ({(r.finished - r.started) / 60:.1f} min{', quick mode' if o.quick else ''})",
        f"- **Machine**: nproc {m['nproc']}, {m['cpu']}, {m['memory_gb']} GB, Linux {m['kernel']}; "
        f"load average at the end {m['load']} (shared machine)",
        f"- **Software**: {tools}; mock at commit {commit()}",
        f"- **Method**: `wrk -t1`, {o.rounds} round(s) × {o.seconds} s per target, interleaved (each round runs "
        "every target once, in the same order, after one warm-up pass); values are medians over rounds, ratios "
        "are medians of per-round ratios. *CPU µs* is the server's user + system CPU time (all its processes) "
        "per answered request. All servers run at once on 127.0.0.1, one under load at a time. Absolute "
        "numbers drift on a shared machine: read the ratios.",
        "",
        "## Targets",
        "",
        "*Measured*: the median of the per-round values, with their range in brackets.",
        "",
        "| target | measured | goal | met | for reference, same run |",
        "|---|---|---|---|---|",
    ]
    for name, measured, goal, met, reference in targets(r):
        verdict = "–" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {measured} | {goal} | {verdict} | {reference} |")

    lines += ["", "## Non-streaming `POST /v1/messages`", "",
              f"A {r.probes.get('mock/c32', {}).get('request_bytes', '~300')}-byte request with `x-api-key` and "
              "`anthropic-version`. *× mock*: req/s relative to the mock at 32 connections, the median of the "
              "per-round ratios (so not always the ratio of the two medians shown).", "",
              "| server | req/s c32 | × mock | p50 ms c32 | p99 ms c32 | CPU µs/req c32 | req/s c1 | p50 ms c1 "
              "| p99 ms c1 | reply bytes | errors |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for target in (t for t in r.targets if t.workload == "c32"):
        c1 = target.key.replace("/c32", "/c1")
        if target.key not in r.samples:
            lines.append(f"| {target.label} | {r.failed.get(target.key) or r.failed.get(target.server, 'not run')} |"
                         + " |" * 9)
            continue
        errors = sum(s.errors for s in r.samples[target.key] + r.samples.get(c1, []))
        lines.append(
            f"| {target.label} | {_num(r.median(target.key, 'rps'), ',.0f')} "
            f"| {_num(r.ratio(target.key, 'mock/c32'), '.2f')} "
            f"| {_num(r.median(target.key, 'p50_ms'), '.2f')} | {_num(r.median(target.key, 'p99_ms'), '.2f')} "
            f"| {_num(r.median(target.key, 'cpu_us'), ',.0f')} "
            f"| {_num(r.median(c1, 'rps'), ',.0f')} | {_num(r.median(c1, 'p50_ms'), '.2f')} "
            f"| {_num(r.median(c1, 'p99_ms'), '.2f')} | {r.probes.get(target.key, {}).get('bytes', '–')} "
            f"| {errors} |")

    echo = r.probes.get("mock-echo/stream", {})
    lines += ["", "## Streaming `POST /v1/messages` (`stream: true`), 32 connections", "",
              f"The mock's streamed reply has {echo.get('deltas', '?')} `content_block_delta` events "
              f"({echo.get('events', '?')} events, {echo.get('bytes', '?')} bytes); the ceilings send those same "
              "bytes. *events/s* = streams/s × events per stream; *× mock* compares events/s.", "",
              "| server | streams/s | events/stream | events/s | × mock | p50 ms | p99 ms | CPU µs/stream |",
              "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for target in (t for t in r.targets if t.workload == "stream"):
        if target.key not in r.samples:
            lines.append(f"| {target.label} | {r.failed.get(target.key) or r.failed.get(target.server, 'not run')} |"
                         + " |" * 6)
            continue
        events = r.probes.get(target.key, {}).get("events", 0)
        streams = r.median(target.key, "rps")
        lines.append(
            f"| {target.label} | {_num(streams, ',.0f')} | {events} | {_num(streams * events, ',.0f')} "
            f"| {_num(r.ratio(target.key, 'mock-echo/stream'), '.2f')} "
            f"| {_num(r.median(target.key, 'p50_ms'), '.2f')} | {_num(r.median(target.key, 'p99_ms'), '.2f')} "
            f"| {_num(r.median(target.key, 'cpu_us'), ',.0f')} |")
    lines += ["", "Prism and Steady have no streaming row: the reference spec (v195) declares only "
              "`application/json` for `POST /v1/messages`, so both answer `stream: true` with one JSON body.", ""]

    lines += ["## Start-up and memory", "",
              f"Start-up: from spawning the process to its first 200 answer to the request above (median of "
              f"{o.startup_rounds}). RSS: resident memory of all the server's processes, once it has answered its "
              "first request and after the run.", "",
              "| server | start-up ms | RSS MB, idle | RSS MB, after the run |", "|---|---:|---:|---:|"]
    for key, server in r.servers.items():
        starts = r.startup.get(key)
        rss, idle = r.rss.get(key), r.rss_idle.get(key)
        lines.append(f"| {server.label} | {_num(statistics.median(starts) * 1000 if starts else None, ',.0f')} "
                     f"| {_num(idle / MB if idle else None, '.0f')} | {_num(rss / MB if rss else None, '.0f')} |")
    mismatch = [f"{t}: {r.probes[t]['bytes']} bytes, mock {r.probes[m]['bytes']}"
                for t, m in (("raw/c32", "mock/c32"), ("raw/stream", "mock-echo/stream"))
                if t in r.probes and m in r.probes and r.probes[t]["bytes"] != r.probes[m]["bytes"]]
    if mismatch:
        lines += ["", "**Warning**: the ceilings do not serve the mock's bytes (did the mock change during the "
                  "run?): " + "; ".join(mismatch)]
    if r.failed:
        lines += ["", "## Failures", ""] + [f"- `{k}`: {v}" for k, v in r.failed.items()]
    return "\n".join(lines) + "\n"


def write(r: Results, out: Path) -> Path:
    """out.md and, beside it, out.json with every sample."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(r))
    _write_json(r, out.with_suffix(".json"), machine())
    return out


def rerender(data_file: Path) -> Path:
    """Write the Markdown again from a results JSON (after changing this module, say)."""
    data = json.loads(data_file.read_text())
    out = data_file.with_suffix(".md")
    out.write_text(markdown(load(data), data["machine"]))
    return out


def load(data: dict) -> Results:
    options = Options(**{**data["options"], "only": frozenset(data["options"].get("only", ()))})
    labels = data.get("labels") or _labels()
    results = Results(options, data["versions"], started=data["started"], finished=data["finished"])
    results.servers = {key: Server(key, labels.get(key, key), _no_command, "") for key in data["rss_bytes"]}
    results.targets = [t for t in TARGETS if t.key in data["samples"] or t.key in data["failed"]]
    results.samples = {k: [Sample(**s) for s in v] for k, v in data["samples"].items()}
    results.startup, results.rss = data["startup_s"], data["rss_bytes"]
    results.rss_idle = data.get("rss_idle_bytes", {})
    results.probes, results.failed = data["probes"], data["failed"]
    return results


def _labels() -> dict[str, str]:
    dummy = {name: Path(name) for name in ("reply", "events", "headers")}
    return {server.key: server.label for server in catalog(Path("spec.json"), dummy)}


def _no_command(port: int) -> list[str]:
    raise RuntimeError("a server loaded from results cannot be started")


def _write_json(r: Results, path: Path, m: dict[str, str]) -> None:
    data = {
        "machine": m, "versions": r.versions, "labels": {k: s.label for k, s in r.servers.items()},
        "options": asdict(r.options) | {"only": sorted(r.options.only)},
        "started": r.started, "finished": r.finished, "startup_s": r.startup, "rss_bytes": r.rss,
        "rss_idle_bytes": r.rss_idle,
        "probes": r.probes, "failed": r.failed,
        "samples": {k: [s.to_json() for s in v] for k, v in r.samples.items()},
        "targets": [dict(zip(("target", "measured", "goal", "met", "reference"), row)) for row in targets(r)],
    }
    path.write_text(json.dumps(data, indent=1))

"""The one-screen summary `mockserver serve` prints at start: where it listens and how it will answer."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .config import DEFAULT_SPEC, Config
from .recording.command import describe_recording


def startup_summary(config: Config, port: int) -> str:
    """First line: where it listens; last line: the variable to export. Between them, one line a setting."""
    base_url = f"http://{config.host}:{port}"
    rows = [
        ("mode", _mode(config)),
        *([("record", recording)] if (recording := describe_recording(config)) else []),
        ("spec", _spec(config.spec_path)),
        ("store", _store(config)),
        ("rules", _rules(config.rules_files)),
        ("faults", _faults(config)),
        ("workers", f"{config.workers}, seed {config.seed}"),
        ("queries", f"arrays {config.query_array_format}, objects {config.query_object_format}"),
        ("health", f"{base_url}/_mock/health (Steady's /_x-steady/health too)"),
    ]
    lines = [f"anthropic-mockserver listening on {base_url}"]
    lines += [f"  {name:<8} {value}" for name, value in rows]
    lines.append(f"ANTHROPIC_BASE_URL={base_url}")
    return "\n".join(lines)


def _mode(config: Config) -> str:
    mode = ("stateless: any valid request gets a spec example, every id exists" if config.stateless
            else "stateful: objects are created, kept and deleted; unknown ids are 404")
    if config.fuzz_seed is not None:
        mode += f"; Messages fuzzed with seed {config.fuzz_seed}, profile {config.fuzz_profile}"
        if config.fuzz_simplify:
            mode += f", simplified {config.fuzz_simplify}"
    return mode


def _store(config: Config) -> str:
    if config.stateless:
        return "none: stateless answers keep nothing"
    if config.store:
        return f"PostgreSQL at {_without_password(config.store)} (shared by every replica on it)"
    return f"SQLite in {config.data_dir}" if config.data_dir else "in memory (gone when the server stops)"


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)))


def _spec(path: Path) -> str:
    from .spec import load_spec  # parsed once: the server reads the same cached document

    spec = load_spec(path)
    methods = ("get", "post", "put", "patch", "delete")
    count = sum(1 for item in spec.get("paths", {}).values() for method in methods if method in item)
    name = "bundled Anthropic API spec" if Path(path) == DEFAULT_SPEC else str(path)
    return f"{name}, {count} operations"


def _rules(files: tuple[Path, ...]) -> str:
    if not files:
        return "none (add with --rules FILE or POST /_mock/rules)"
    from .scenarios.rules import load_rules_file

    count = sum(len(load_rules_file(Path(path), index)) for index, path in enumerate(files))
    return f"{count} from {', '.join(str(path) for path in files)} (reloaded when a file changes)"


def _faults(config: Config) -> str:
    faults = []
    if config.latency:
        faults.append(f"latency {config.latency}")
    faults += [f"error {rate}" for rate in config.error_rates]
    faults += [f"rate limit {limit}" for limit in config.rate_limits]
    if config.ttft_ms or config.tokens_per_second:
        faults.append(f"stream pacing {config.ttft_ms:g} ms to first token, {config.tokens_per_second:g} tokens/s")
    return ", ".join(faults) or "none"

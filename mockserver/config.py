"""Settings of one mock server: a single frozen dataclass, filled by the CLI or by tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
# A checkout serves its openapi/; an installed package (pipx, uvx, a wheel) carries a copy inside
# mockserver/openapi (a symlink in the repository, real files in the wheel).
_CHECKOUT_SPEC = REPO_ROOT / "openapi" / "anthropic.yaml"
DEFAULT_SPEC = _CHECKOUT_SPEC if _CHECKOUT_SPEC.exists() else PACKAGE_DIR / "openapi" / "anthropic.yaml"
ADMIN_KEY_PREFIX = "sk-ant-admin"


@dataclass(frozen=True, slots=True)
class Config:
    host: str = "127.0.0.1"
    port: int = 4010
    workers: int = 1
    seed: int = 0
    stateless: bool = False
    spec_path: Path = DEFAULT_SPEC
    api_keys: tuple[str, ...] = ()      # empty: any non-empty key is accepted
    admin_keys: tuple[str, ...] = ()    # empty: any key starting with ADMIN_KEY_PREFIX is an admin key
    strict_betas: bool = False
    organization_id: str = "6f1d3c2a-8b7e-4a59-9c10-2d4e5f6a7b8c"
    reply: str = "prose"                # "prose" | "echo"
    data_dir: Path | None = None
    models_file: Path | None = None
    batch_seconds: float = 3.0
    ttft_ms: float = 0.0
    tokens_per_second: float = 0.0      # 0: stream as fast as possible
    rules_files: tuple[Path, ...] = field(default=())
    control_token: str | None = None
    log_requests: bool = False
    fuzz_seed: int | None = None        # Messages answer with fuzzed (valid-but-unusual) replies
    fuzz_profile: str = "future"        # today | future | faults | all (mockserver/fuzz/profiles.py)
    fuzz_simplify: str = ""             # "blocks=1,text=8,chunks=1,extras=0,faults=0": a shrunk reply
    latency: str | None = None          # every API request: "50ms", "uniform:10-100ms", "normal:100ms,20ms"
    error_rates: tuple[str, ...] = ()   # "overloaded_error=0.05": answer that error with that probability
    rate_limits: tuple[str, ...] = ()   # "[MODEL:]requests=N,input_tokens=N,output_tokens=N,window=60s" (enforced)
    rate_limit_headers: bool = True     # anthropic-ratelimit-* on Messages responses, even when not enforced
    journal: bool = False               # record requests from the start (else: once a rule or /_mock asks)
    journal_size: int = 1000            # entries kept
    query_array_format: str = "auto"    # query arrays on the wire: brackets, repeat, comma, ... (spec/query.py)
    query_object_format: str = "auto"   # query objects on the wire: brackets, dots, flat, flat-comma
    max_header_bytes: int = 64 * 1024   # request line + headers; larger: 431 and the connection closes
    header_timeout: float = 10.0        # seconds for the request line and headers to arrive
    body_timeout: float = 30.0          # seconds a started body may stall before the connection closes
    # record and replay (docs/record-replay.md; mockserver/recording/)
    proxy: str | None = None            # upstream base URL to forward to (and record from)
    proxy_timeout: float = 600.0        # seconds the upstream may take to answer (504 after that)
    cassettes: Path | None = None       # folder of cassettes; set: requests go through the recorder
    cassette: str = "default"           # cassette name (a request may pick another with x-mock-cassette)
    record_mode: str | None = None      # none | once | new_episodes | all | passthrough (default: once with --proxy)
    on_miss: str = "error"              # error (599 mock_cassette_miss) | synthesize (answer as the mock)
    replay_speed: float = 0.0           # recorded stream delays times this (0: as fast as possible)
    keep_ids: bool = False              # replay the recorded request-id instead of a fresh one
    match_ignore: tuple[str, ...] = ()  # JSON paths left out when matching request bodies
    match_headers: tuple[str, ...] = () # request headers that must also match
    redact_paths: tuple[str, ...] = ()  # JSON paths never written (request and response bodies)
    priority_keys: tuple[str, ...] = ()  # keys with Priority Tier capacity ("*": every key); see engine/tiers.py
    normalize: tuple[str, ...] = ()     # "ids", "dates" or "REGEX=>PLACEHOLDER" ({n}: 1, 2, ... per value)
    store: str | None = None            # postgresql://user@host/db: state shared by replicas (default: SQLite)
    journal_body_bytes: int = 64 * 1024  # request body bytes a journal entry keeps (more: truncated, flagged)
    control_body_bytes: int = 4 * 1024 * 1024  # largest /_mock request body (413 above)

"""`mockserver serve | validate` (also `python -m mockserver`)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Sequence

from . import contract, steady
from .conformance import command as conformance_command
from .recording import command as recording_command
from .config import DEFAULT_SPEC, Config
from .db import STORE_ENV

CONFIG_ENV = "MOCKSERVER_CONFIG"


class DefaultsShown(argparse.HelpFormatter):
    """Every option's help ends with its default, unless the help already names it or there is none."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if "default" in text or default in (None, False, [], argparse.SUPPRESS) or not action.option_strings:
            return text
        return f"{text} (default: {default})"


def _serve_parser(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="run the mock server", formatter_class=DefaultsShown)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (another host also needs --control-token for /_mock)")
    serve.add_argument("--port", type=int, default=4010, help="port to listen on (0: any free port)")
    serve.add_argument("--workers", type=int, default=1,
                       help="server processes; more than one share state through a database file")
    serve.add_argument("--seed", type=int, default=0, help="same seed, same request: same bytes")
    serve.add_argument("--stateless", action="store_true",
                       help="answer any valid request with a schema-valid example; every id exists")
    serve.add_argument("--api-key", dest="api_keys", action="append", default=[],
                       help="accept only these API keys (repeatable); default: any non-empty key. "
                            "With it, admin routes accept only --admin-key keys")
    serve.add_argument("--admin-key", dest="admin_keys", action="append", default=[],
                       help="admin keys for /v1/organizations (repeatable); default: any sk-ant-admin... key, "
                            "but none when --api-key is given (then only these keys open the admin routes)")
    serve.add_argument("--strict-betas", action="store_true", help="reject unknown anthropic-beta values")
    serve.add_argument("--reply", choices=("prose", "echo"), default="prose",
                       help="Messages text: synthesised prose, or the last user turn echoed back")
    serve.add_argument("--data-dir", type=Path, help="keep state in this folder (default: in memory)")
    serve.add_argument("--models", dest="models_file", type=Path, help="extra models catalog (YAML)")
    serve.add_argument("--batch-seconds", type=float, default=3.0, help="time a batch takes to end")
    serve.add_argument("--ttft-ms", type=float, default=0.0, help="stream: delay before the first token")
    serve.add_argument("--tokens-per-second", type=float, default=0.0, help="stream pacing (0: no pacing)")
    serve.add_argument("--rules", dest="rules_files", action="append", type=Path, default=[], metavar="FILE",
                       help="YAML or JSON rules to load at start, reloaded when the file changes (repeatable)")
    serve.add_argument("--control-token", help="allow /_mock from other hosts with this bearer token")
    serve.add_argument("--control-body-bytes", type=int, default=4 * 1024 * 1024,
                       help="largest /_mock request body in bytes (docs/security.md)")
    serve.add_argument("--spec", dest="spec_path", type=Path, default=DEFAULT_SPEC, metavar="FILE",
                       help="OpenAPI spec to serve (default: the bundled Anthropic API spec)")
    serve.add_argument("--log-requests", action="store_true", help="one access-log line per request")
    serve.add_argument("--fuzz", dest="fuzz_seed", type=int, metavar="SEED",
                       help="answer Messages with valid-but-unusual replies and streams (replayable per seed)")
    faults = serve.add_argument_group("faults and scripting (docs/scripting.md)")
    faults.add_argument("--latency", help="delay every API request: 50ms, uniform:10-100ms, normal:100ms,20ms")
    faults.add_argument("--error-rate", dest="error_rates", action="append", default=[], metavar="TYPE=P",
                        help="answer error TYPE with probability P, e.g. overloaded_error=0.05 (repeatable)")
    faults.add_argument("--rate-limit", dest="rate_limits", action="append", default=[],
                        metavar="[MODEL:]requests=N,input_tokens=N,output_tokens=N,window=60s",
                        help="enforce token buckets per API key and model (repeatable)")
    faults.add_argument("--no-rate-limit-headers", dest="rate_limit_headers", action="store_false",
                        help="leave out anthropic-ratelimit-* headers when no limit is enforced")
    faults.add_argument("--journal", action="store_true", help="record every request from the start")
    faults.add_argument("--journal-size", type=int, default=1000, help="journal entries kept")
    faults.add_argument("--journal-body-bytes", type=int, default=64 * 1024,
                        help="request body bytes a journal entry keeps; larger bodies are truncated and flagged")
    steady.add_format_options(serve)
    recording_command.add_serve_options(serve)
    serve.add_argument("--store", default=os.environ.get(STORE_ENV) or None, metavar="URL",
                       help="where state lives: postgresql://user@host/db, shared by replicas "
                            f"(env {STORE_ENV}; default: embedded SQLite)")
    _limits_arguments(serve)
    serve.add_argument("--priority-key", dest="priority_keys", action="append", default=[], metavar="KEY",
                       help="an API key whose organization has Priority Tier capacity (repeatable; * for every "
                            "key): its Messages requests with service_tier auto report usage.service_tier priority")


def _limits_arguments(serve: argparse.ArgumentParser) -> None:
    limits = serve.add_argument_group("connection limits (docs/security.md)")
    limits.add_argument("--max-header-bytes", type=_positive(int), default=64 * 1024, metavar="N",
                        help="largest request line + headers; a larger one gets 431 and the connection "
                             "closes (default: 65536)")
    limits.add_argument("--header-timeout", type=_positive(float), default=10.0, metavar="S",
                        help="close a connection whose request headers have not all arrived S seconds after "
                             "its first byte (or after it opened); 408 if some arrived (default: 10)")
    limits.add_argument("--body-timeout", type=_positive(float), default=30.0, metavar="S",
                        help="close a connection whose request body stalls for S seconds (default: 30)")


def _positive(kind: type) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be greater than 0: {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its "invalid int value" message
    return parse


def config_from_args(args: argparse.Namespace) -> Config:
    fields = {f.name for f in dataclasses.fields(Config)}
    values = {k: v for k, v in vars(args).items() if k in fields}
    for name in ("api_keys", "admin_keys", "rules_files", "error_rates", "rate_limits"):
        values[name] = tuple(values.get(name) or ())
    for name in recording_command.TUPLE_OPTIONS:
        values[name] = tuple(values.get(name) or ())
    values["priority_keys"] = tuple(values.get("priority_keys") or ())
    return Config(**values)


def _config_to_env(config: Config) -> str:
    return json.dumps({k: (str(v) if isinstance(v, Path) else v) for k, v in dataclasses.asdict(config).items()},
                      default=str)


def config_from_env() -> Config:
    raw = json.loads(os.environ[CONFIG_ENV])
    for name in ("spec_path", "data_dir", "models_file"):
        if raw.get(name) is not None:
            raw[name] = Path(raw[name])
    raw["rules_files"] = tuple(Path(p) for p in raw.get("rules_files", ()))
    for name in ("api_keys", "admin_keys", "error_rates", "rate_limits"):
        raw[name] = tuple(raw.get(name, ()))
    for name in recording_command.TUPLE_OPTIONS:
        raw[name] = tuple(raw.get(name, ()))
    if raw.get("cassettes") is not None:
        raw["cassettes"] = Path(raw["cassettes"])
    raw["priority_keys"] = tuple(raw.get("priority_keys", ()))
    return Config(**raw)


def serve(config: Config, *, announce: bool = True) -> int:
    import uvicorn

    from . import workers
    from .app import create_app
    from .http.connection import uvicorn_options
    from .db import StoreUnavailable, check_store_url
    from .scenarios.behaviour import check_settings
    from .spec import load_spec

    check_settings(config)  # fail once, clearly, rather than in every worker
    recording_command.check_recording(config)
    check_store_url(config.store)
    if config.workers > 1 and config.data_dir is None:
        # Workers are separate processes: they can only share state through a database file.
        config = dataclasses.replace(config, data_dir=Path(tempfile.mkdtemp(prefix="mockserver-")))
    options = dict(host=config.host, port=config.port, log_level="warning",
                   access_log=config.log_requests, **uvicorn_options(config),
                   loop=_fastest("uvloop", "asyncio"), timeout_keep_alive=30,
                   server_header=False)  # the API answers without `server: uvicorn` (one header less to write)
    # Bind first: a taken port is one line on stderr, never a summary followed by a traceback.
    try:
        sockets = workers.bind(config.host, config.port, config.workers if workers.SUPPORTED else 1)
    except OSError as error:
        print(f"mockserver: cannot listen on {config.host}:{config.port}: {error.strerror or error}",
              file=sys.stderr)
        return 1
    port = sockets[0].getsockname()[1]
    if config.workers > 1 and workers.SUPPORTED:
        _announce(config, port, announce)
        load_spec(config.spec_path)  # parsed once here, before the workers fork
        return workers.Supervisor(config, options, sockets).run()
    if config.workers > 1:  # uvicorn's own supervisor binds again, on the port we just checked
        sockets[0].close()
        _announce(config, port, announce)
        os.environ[CONFIG_ENV] = _config_to_env(config)
        uvicorn.run("mockserver.cli:app_from_env", factory=True, workers=config.workers, **options)
        return 0
    try:
        app = create_app(config)
    except StoreUnavailable as error:
        print(f"mockserver: --store: {error}", file=sys.stderr)
        return 1
    _announce(config, port, announce)
    try:
        uvicorn.Server(uvicorn.Config(app, **options)).run(sockets=sockets)
    finally:
        app.close()
    return 0


def _announce(config: Config, port: int, announce: bool) -> None:
    from .summary import startup_summary

    if announce:
        print(startup_summary(config, port), flush=True)


def app_from_env():
    from .app import create_app

    return create_app(config_from_env())


def _fastest(preferred: str, fallback: str) -> str:
    try:
        __import__(preferred)
        return preferred
    except ImportError:
        return fallback


def validate(spec_path: Path) -> int:
    try:
        from openapi_spec_validator import validate as validate_spec
    except ImportError:
        print("mockserver validate needs openapi-spec-validator: pip install openapi-spec-validator", file=sys.stderr)
        return 2
    from .spec import load_spec

    if not Path(spec_path).is_file():
        print(f"mockserver validate: {spec_path}: no such file", file=sys.stderr)
        return 2
    print(f"checking {spec_path} (a few seconds)...", file=sys.stderr, flush=True)

    validate_spec(load_spec(spec_path))
    print(f"{spec_path}: valid OpenAPI {load_spec(spec_path)['openapi']}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Every command and option (the docs' command reference is generated from it)."""
    parser = argparse.ArgumentParser(prog="mockserver", description="A faithful mock of the Anthropic API.")
    sub = parser.add_subparsers(dest="command")
    _serve_parser(sub)
    contract.add_parser(sub)
    steady.add_parser(sub)
    recording_command.add_parser(sub)
    conformance_command.add_parser(sub)
    check = sub.add_parser("validate", help="check the OpenAPI spec")
    check.add_argument("--spec", dest="spec_path", type=Path, default=DEFAULT_SPEC, metavar="FILE",
                       help="OpenAPI spec to check (default: the bundled Anthropic API spec)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        try:
            return serve(config_from_args(args))
        except ValueError as error:  # bad fault, rate-limit, rules or recording settings
            parser.error(str(error))
        except OSError as error:  # a file named on the command line: --spec, --rules, --models
            parser.error(f"{error.filename or error}: {error.strerror or error}")
    if args.command == "steady":
        return steady.run(args, serve)
    if args.command == "contract":
        return contract.run(args)
    if args.command == "validate":
        return validate(args.spec_path)
    if args.command == "cassette":
        return recording_command.run(args)
    if args.command == "conformance":
        return conformance_command.run(args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())

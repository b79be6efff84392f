"""`mockserver contract`: the command line (the lead's cli.py calls add_parser and run)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..config import ADMIN_KEY_PREFIX, DEFAULT_SPEC
from .progress import progress_for
from .report import junit_xml, summary
from .runner import DEFAULT_VERSION, Options, run_contract
from .samples import DEFAULT_MODEL
from .spec import load_document
from .specdiff import compare_specs, format_spec_diff
from .target import DEFAULT_ADMIN_KEY, DEFAULT_API_KEY, Keys, load_schema


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "contract", help="check a server (this mock or the real API) against the OpenAPI contract",
        description="Run the contract checks against any base URL. Operations that cost money or change "
                    "the account or organization are skipped unless --include-costly is given.")
    parser.add_argument("--base-url", help="server to check, e.g. http://127.0.0.1:4010 or https://api.anthropic.com")
    parser.add_argument("--api-key", default=os.environ.get("ANTHROPIC_API_KEY"),
                        help="API key (default: $ANTHROPIC_API_KEY, else a placeholder the mock accepts)")
    parser.add_argument("--admin-key", default=os.environ.get("ANTHROPIC_ADMIN_KEY"),
                        help="Admin API key for /v1/organizations (default: $ANTHROPIC_ADMIN_KEY)")
    parser.add_argument("--max-requests", type=int, default=1000, help="request budget of the run (default 1000)")
    parser.add_argument("--examples", type=int, default=10, help="generated requests per operation and mode")
    parser.add_argument("--include-costly", action="store_true",
                        help="also run operations that cost money or change the account/organization")
    parser.add_argument("--operation", dest="only", action="append", default=[],
                        help="only operations whose operationId contains this (repeatable)")
    parser.add_argument("--junit-xml", type=Path, help="write a JUnit XML report here")
    parser.add_argument("--compare-spec", type=Path, help="report how another OpenAPI file differs from ours")
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="the contract (default: ours)")
    parser.add_argument("--api-version", dest="version", default=DEFAULT_VERSION, help="anthropic-version of walks")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="model used by known-good requests")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated requests")
    parser.add_argument("--pair-checks", choices=("auto", "on", "off"), default="auto",
                        help="stream/JSON and count_tokens/usage agreement: they need a deterministic server "
                             "(auto: on when the target is anthropic-mockserver)")
    parser.add_argument("--cassettes", type=Path, metavar="DIR",
                        help="check every response recorded in these cassettes against the spec (no server)")
    parser.set_defaults(command_impl=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if getattr(args, "cassettes", None) is not None:
        from ..recording.command import check_cassettes

        return check_cassettes(args.cassettes, args.spec)
    if args.compare_spec is None and args.base_url is None:
        print("mockserver contract: give --base-url URL (and/or --compare-spec FILE)", file=sys.stderr)
        return 2
    if args.compare_spec is not None:
        diff = compare_specs(load_document(args.spec), load_document(args.compare_spec))
        print(format_spec_diff(diff, str(args.spec), str(args.compare_spec)), flush=True)
        if args.base_url is None:
            return 0
    try:
        import schemathesis  # noqa: F401
    except ImportError:
        print("mockserver contract needs schemathesis: pip install schemathesis", file=sys.stderr)
        return 2
    options = options_from_args(args)
    print(f"Checking {args.base_url} against {args.spec} (budget {args.max_requests} requests, "
          f"pair checks {'on' if options.pairs else 'off'})", flush=True)
    schema = load_schema(args.spec, base_url=args.base_url, keys=options.keys)
    progress = progress_for(sys.stdout)
    try:
        report = run_contract(schema, options, progress)
    finally:
        progress.close()
    print(summary(report), flush=True)
    if args.junit_xml is not None:
        args.junit_xml.write_bytes(junit_xml(report))
        print(f"JUnit XML written to {args.junit_xml}")
    return 0 if report.ok else 1


def options_from_args(args: argparse.Namespace) -> Options:
    keys = Keys(args.api_key or DEFAULT_API_KEY, args.admin_key or DEFAULT_ADMIN_KEY)
    health = mock_health(args.base_url) if args.pair_checks == "auto" else None
    stateless = bool(health and health.get("stateless"))
    pairs = args.pair_checks == "on" or (health is not None and not stateless)
    return Options(examples=args.examples, max_requests=args.max_requests, include_costly=args.include_costly,
                   pairs=pairs, stateful=not stateless, only=tuple(args.only), seed=args.seed, version=args.version,
                   model=args.model, keys=keys,
                   has_admin_key=bool(args.admin_key) or keys.admin_key.startswith(ADMIN_KEY_PREFIX))


def mock_health(base_url: str) -> dict[str, Any] | None:
    """anthropic-mockserver's /_mock/health (it is deterministic, and says if it runs stateless); None
    for any other server."""
    import httpx

    try:
        response = httpx.get(base_url.rstrip("/") + "/_mock/health", timeout=5)
        health = response.json()
        return health if response.status_code == 200 and health.get("status") == "ok" else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return None


def main(argv: list[str] | None = None) -> int:
    """`python -m mockserver.contract ...`: the command without the rest of the CLI."""
    parser = argparse.ArgumentParser(prog="mockserver")
    add_parser(parser.add_subparsers(dest="command"))
    return run(parser.parse_args(["contract", *(sys.argv[1:] if argv is None else argv)]))

"""`mockserver steady [Steady's flags] [SPEC]`: Steady's command line, so that an SDK repository swaps
the executable in `scripts/mock` and changes nothing else.

It serves `--stateless` (a schema-valid example for any valid request, as generated suites expect),
reads query arrays and objects in the form the `--validator-query-*-format` flags name, and answers
Steady's health route `/_x-steady/health`. The SPEC argument is never fetched: a URL is noted, a local
file is compared with the bundled spec (how many of its operations are served here).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable

from . import __version__
from .config import DEFAULT_SPEC, Config
from .spec.query import ARRAY_FORMATS, OBJECT_FORMATS

HEALTH_PATH = "/_x-steady/health"
FORM_FORMATS = ("auto", "brackets", "repeat", "comma", "indices", "dots", "flat", "flat-comma")


def add_format_options(parser: argparse.ArgumentParser) -> None:
    """Steady's serialisation flags; `serve` takes them too."""
    group = parser.add_argument_group("query and form serialisation (Steady's flags)")
    group.add_argument("--validator-query-array-format", dest="query_array_format", choices=ARRAY_FORMATS,
                       default="auto", help="query arrays: ids[]=a&ids[]=b (brackets), ids=a&ids=b (repeat), "
                                            "ids=a,b (comma), ids[0]=a (indices); auto accepts brackets and repeat")
    group.add_argument("--validator-query-object-format", dest="query_object_format", choices=OBJECT_FORMATS,
                       default="auto", help="query objects: f[k]=v (brackets), f.k=v (dots), k=v (flat), "
                                            "f=k,v (flat-comma or comma); auto accepts brackets and dots")
    for kind in ("array", "object"):
        group.add_argument(f"--validator-form-{kind}-format", dest=f"form_{kind}_format", choices=FORM_FORMATS,
                           default="auto", help="accepted; multipart arrays are read as files[] and files alike")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "steady", help="run the mock with Steady's command line (stateless, as SDK test suites expect)",
        description="A drop-in for `steady` in an SDK repository's scripts/mock: same flags, same health route.")
    parser.add_argument("spec", nargs="?", help="Steady's spec path or URL: never fetched; a local file is "
                                                "compared with the bundled spec")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=4010)
    parser.add_argument("-q", "--quiet", action="store_true", help="print nothing at start")
    parser.add_argument("--version", action="version", version=f"anthropic-mockserver {__version__} (steady mode)")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same request: same bytes")
    add_format_options(parser)
    ignored = parser.add_argument_group("Steady options accepted and ignored (the mock has its own behaviour)")
    for flag in ("--validator-strict-oneof", "--strict", "--relaxed", "--log-bodies", "--no-log",
                 "-r", "--auto-reload", "-i", "--interactive"):
        ignored.add_argument(flag, action="store_true", dest=f"ignored_{flag.lstrip('-')}")
    for flag in ("--log", "--log-level", "--generator-array-size", "--generator-array-min",
                 "--generator-array-max", "--generator-seed"):
        ignored.add_argument(flag, metavar="VALUE", dest=f"ignored_{flag.lstrip('-')}")
    return parser


def steady_health(spec: dict[str, Any]) -> dict[str, Any]:
    """The body of `/_x-steady/health`, in Steady's shape; callers only look at the 200."""
    info = spec.get("info", {})
    return {"status": "healthy", "version": __version__, "server": "anthropic-mockserver",
            "spec": {"title": info.get("title"), "version": info.get("version")}}


def config_from_args(args: argparse.Namespace) -> Config:
    return Config(host=args.host, port=args.port, seed=args.seed, stateless=True,
                  query_array_format=args.query_array_format, query_object_format=args.query_object_format)


def run(args: argparse.Namespace, serve: Callable[..., int]) -> int:
    """`serve` is the cli's (passed in: the command line sits above this module)."""
    if args.spec and not args.quiet:
        print(spec_note(args.spec), file=sys.stderr, flush=True)
    return serve(config_from_args(args), announce=not args.quiet)


def spec_note(spec: str) -> str:
    """What becomes of Steady's SPEC argument: the mock serves its own spec and never goes online."""
    if "://" in spec:
        return f"steady mode: {spec} is not fetched; serving the bundled Anthropic API spec"
    path = Path(spec)
    if not path.is_file():
        return f"steady mode: {spec} is not a file; serving the bundled Anthropic API spec"
    import yaml

    from .contract.specdiff import spec_operations
    from .spec import load_spec

    try:
        theirs = spec_operations(load_spec(path))
    except (OSError, ValueError, AttributeError, yaml.YAMLError) as error:
        return f"steady mode: {spec} could not be read ({error}); serving the bundled Anthropic API spec"
    ours = spec_operations(load_spec(DEFAULT_SPEC))
    missing = sorted(set(theirs) - set(ours))
    note = f"steady mode: {len(theirs) - len(missing)} of the {len(theirs)} operations in {spec} are served"
    return note + (f"; not served: {', '.join(missing[:8])}{' ...' if len(missing) > 8 else ''}" if missing else "")

"""Command-line pieces: the record/replay options of `serve`, and `mockserver cassette export`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .cassette import read_cassette
from .modes import RecordMode, resolve_mode
from .redaction import Normalizer

TUPLE_OPTIONS = ("match_ignore", "match_headers", "redact_paths", "normalize")


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    group = serve.add_argument_group("record and replay (docs/record-replay.md)")
    group.add_argument("--proxy", metavar="URL", help="forward API requests to this upstream (and record them)")
    group.add_argument("--proxy-timeout", type=float, default=600.0, metavar="SECONDS",
                       help="how long the upstream may take to connect, send or answer before a 504 (default 600)")
    group.add_argument("--cassettes", type=Path, metavar="DIR", help="cassette folder; without --proxy: replay")
    group.add_argument("--cassette", default="default", metavar="NAME",
                       help="cassette file DIR/NAME.yaml (a request may pick another with x-mock-cassette)")
    group.add_argument("--record-mode", choices=[m.value for m in RecordMode],
                       help="none: replay only; once: record a new cassette, else replay; new_episodes: replay "
                            "hits, record misses; all: re-record everything; passthrough: forward, record nothing "
                            "(default: once with --proxy, else none)")
    group.add_argument("--on-miss", choices=("error", "synthesize"), default="error",
                       help="a request nothing recorded matches: 599 mock_cassette_miss, or the normal mock")
    group.add_argument("--replay-speed", type=float, default=0.0,
                       help="recorded stream delays times this (0: as fast as possible; 1: real time)")
    group.add_argument("--keep-ids", action="store_true", help="replay the recorded request-id, not a fresh one")
    group.add_argument("--match-ignore", dest="match_ignore", action="append", default=[], metavar="JSONPATH",
                       help="leave this body path out when matching, e.g. $.metadata.user_id (repeatable)")
    group.add_argument("--match-header", dest="match_headers", action="append", default=[], metavar="NAME",
                       help="this request header must match too, e.g. anthropic-beta (repeatable)")
    group.add_argument("--redact", dest="redact_paths", action="append", default=[], metavar="JSONPATH",
                       help="never write this body path (request and response) to a cassette (repeatable)")
    group.add_argument("--normalize", action="append", default=[], metavar="RULE",
                       help="ids, dates, http-dates, or REGEX=>PLACEHOLDER ({n}: 1, 2, ... per distinct value; "
                            "{1}: the first group) (repeatable)")


def check_recording(config: Any) -> None:
    """ValueError for settings that cannot work, before serving."""
    if not config.proxy_timeout > 0:
        raise ValueError(f"--proxy-timeout must be a positive number of seconds, not {config.proxy_timeout}")
    if config.cassettes is None:
        if config.proxy or config.record_mode:
            raise ValueError("--proxy and --record-mode need --cassettes DIR")
        return
    mode = resolve_mode(config.record_mode, config.proxy)
    if mode is RecordMode.NONE and not Path(config.cassettes).is_dir():
        raise ValueError(f"--cassettes {config.cassettes}: no such folder (replaying needs recorded cassettes; "
                         "record them first with --proxy URL)")
    if mode is not RecordMode.NONE and config.workers > 1:
        raise ValueError("record with --workers 1 (replaying works with any number of workers)")
    Normalizer(config.normalize)
    if mode is not RecordMode.ALL:  # a bad cassette is named at start-up (CassetteError), not in a traceback
        read_cassette(Path(config.cassettes) / f"{config.cassette}.yaml")


def describe_recording(config: Any) -> str | None:
    """One line for the start-up summary: the mode, the upstream and the cassette folder."""
    if config.cassettes is None:
        return None
    mode = resolve_mode(config.record_mode, config.proxy)
    folder = Path(config.cassettes)
    count = sum(1 for _ in folder.glob("**/*.yaml")) if folder.is_dir() else 0
    where = f"{folder} ({count} cassette{'s' if count != 1 else ''})"
    if mode is RecordMode.NONE:
        miss = "599 mock_cassette_miss" if config.on_miss == "error" else "the normal mock answers"
        return f"replay from {where}; on a miss: {miss}"
    return f"{mode.value}: proxy to {config.proxy}, cassettes in {where}"


def add_parser(subparsers: Any) -> None:
    cassette = subparsers.add_parser("cassette", help="work with recorded cassettes")
    actions = cassette.add_subparsers(dest="cassette_command")
    export = actions.add_parser("export", help="write a cassette in another format")
    export.add_argument("cassette_file", type=Path, help="the cassette (.yaml)")
    export.add_argument("--har", action="store_true", required=True, help="HAR 1.2 (the only format for now)")
    export.add_argument("-o", "--output", type=Path, help="output file (default: the cassette's name with .har)")


def run(args: argparse.Namespace) -> int:
    from .cassette import read_cassette
    from .har import write_har

    if args.cassette_command != "export":
        print("mockserver cassette: give a command (export)", file=sys.stderr)
        return 2
    cassette = read_cassette(args.cassette_file)
    if not cassette.existed:
        print(f"mockserver cassette: {args.cassette_file} does not exist", file=sys.stderr)
        return 1
    target = args.output or args.cassette_file.with_suffix(".har")
    write_har(cassette, target)
    print(f"{len(cassette.interactions)} entries written to {target}")
    return 0


def check_cassettes(folder: Path, spec_path: Path) -> int:
    """`mockserver contract --cassettes DIR`: 0 when every recorded response fits the spec."""
    from . import drift

    checked, drifts = drift.check_cassettes(folder, spec_path)
    for found in drifts:
        print(f"DRIFT {found}")
    print(f"{checked} recorded responses checked against {spec_path}: {len(drifts)} drift(s)")
    return 1 if drifts else 0

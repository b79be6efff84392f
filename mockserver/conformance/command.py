"""`mockserver conformance PATH...`: the command line (cli.py calls add_parser and run)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .report import Progress, junit_xml, summary


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "conformance", help="replay traffic recorded against the real API and compare the mock's answers",
        description="Replay recorded exchanges (our cassettes, vcrpy/pytest-recording YAML, folders of them) "
                    "and compare each answer with the recorded one. Exit 1 on any difference.")
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="cassette files or folders (walked)")
    parser.add_argument("--base-url", help="server to replay against (default: fresh in-process mocks)")
    parser.add_argument("--api-version", help="send this anthropic-version instead of the recorded one")
    parser.add_argument("--junit-xml", type=Path, metavar="FILE", help="write a JUnit XML report here")
    return parser


def run(args: argparse.Namespace) -> int:
    import httpx

    from .runner import run_conformance  # loads the app: only when the command runs
    from .sources import UnreadableSource

    progress = Progress(sys.stderr)
    try:
        report = run_conformance(args.paths, base_url=args.base_url, api_version=args.api_version,
                                 progress=progress)
    except UnreadableSource as error:
        print(f"mockserver conformance: {error}", file=sys.stderr)
        return 2
    except httpx.TransportError as error:
        print(f"mockserver conformance: cannot reach {args.base_url}: {error or type(error).__name__}", file=sys.stderr)
        return 2
    finally:
        progress.close()
    if not report.results:
        print(f"mockserver conformance: no Anthropic API exchanges in {' '.join(map(str, args.paths))}",
              file=sys.stderr)
        return 2
    print(summary(report))
    if args.junit_xml is not None:
        args.junit_xml.write_bytes(junit_xml(report))
    return 0 if report.ok else 1

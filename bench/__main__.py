"""python -m bench [--quick] [--profile] [--large-bodies [MB,MB]] [--rounds N] [--seconds S] [--only KEYS] [--no-peers]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import install, report, runner


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description="Benchmark the mock against peers and ceilings.")
    parser.add_argument("--quick", action="store_true", help="one short round, for development")
    parser.add_argument("--profile", action="store_true", help="sample the mock's hot path with py-spy under load")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 8; quick: 1)")
    parser.add_argument("--seconds", type=int, help="seconds per measurement (default 3; quick: 2)")
    parser.add_argument("--startup-rounds", type=int, help="start-ups timed per server (default 3; quick: 1)")
    parser.add_argument("--only", help="comma-separated server keys: mock, mock-stateless, mock-replay, mock-w2, mock-echo, raw, raw-w2, "
                             "raw-rp2, starlette, steady-q, steady, prism-silent, prism, mock-rule, mock-pg, "
                             "mock-pg-rule, mock-journal, mock-pg-journal")
    parser.add_argument("--no-peers", action="store_true", help="skip Prism and Steady")
    parser.add_argument("--out", type=Path, default=None,
                        help="Markdown file (default: bench/results/latest.md; quick: bench/.cache/quick.md)")
    parser.add_argument("--large-bodies", nargs="?", const="1,8,30", metavar="MB,MB",
                        help="only the large-bodies row: time over Messages bodies of small text blocks (default "
                             "1, 8 and 30 MB) and a second client's latency meanwhile")
    parser.add_argument("--render", type=Path, metavar="JSON",
                        help="only write the Markdown again from a results JSON, e.g. bench/results/latest.json")
    args = parser.parse_args()
    if args.render:
        print(report.rerender(args.render).read_text())
        return 0
    if args.large_bodies:
        from . import large_bodies

        sizes = tuple(float(size) for size in args.large_bodies.split(","))
        print(large_bodies.run(install.CACHE / "logs", sizes))
        return 0
    if args.profile:
        from . import profile

        print(profile.run(seconds=args.seconds or 10))
        return 0
    quick = args.quick
    options = runner.Options(
        rounds=args.rounds or (1 if quick else 8),
        seconds=args.seconds or (2 if quick else 3),
        startup_rounds=args.startup_rounds or (1 if quick else 3),
        peers=not args.no_peers,
        only=frozenset(filter(None, (args.only or "").split(","))),
        quick=quick,
    )
    results = runner.run(options)
    default = install.CACHE / "quick.md" if quick else report.RESULTS / "latest.md"
    out = report.write(results, args.out or default)
    print(out.read_text())
    print(f"[bench] written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`mockserver fuzz --runs N [--seed S] [--shrink] [--profile P] [--timeout T] -- CMD ARGS...`

Starts a mock in-process and runs CMD N times with ANTHROPIC_BASE_URL pointing at it (and a dummy
ANTHROPIC_API_KEY), run i under seed S+i: every Messages call gets a fuzzed reply of that seed. A run
that exits non-zero or times out is reported with its seed, the replies it got and a replay line;
`--shrink` re-runs the first failing seed with the replies simplified step by step (shrink.py).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass

from typing import TYPE_CHECKING

from ..config import Config
from .profiles import NO_LIMITS, PROFILE_NAMES, Simplify, profile
from .report import describe, size
from .shrink import shrink
from .sources import SeededSource

if TYPE_CHECKING:
    from ..server import MockServer

DUMMY_KEY = "sk-ant-api03-mockserver-fuzz"
OUTPUT_LINES = 12  # of a failing run's stderr, in the report


def add_parser(sub: argparse._SubParsersAction) -> None:
    fuzz = sub.add_parser("fuzz", help="run a command N times against fuzzed replies; report failing seeds",
                          description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    fuzz.add_argument("--runs", type=int, default=20, help="how many runs (default: 20)")
    fuzz.add_argument("--seed", type=int, default=0, help="the first run's seed (run i: seed + i)")
    fuzz.add_argument("--profile", choices=PROFILE_NAMES, default="all", help="what replies may hold (default: all)")
    fuzz.add_argument("--timeout", type=float, default=60.0, help="seconds a run may take (default: 60)")
    fuzz.add_argument("--shrink", action="store_true", help="simplify the first failing run's replies")
    fuzz.add_argument("program", nargs=argparse.REMAINDER, metavar="-- CMD ARGS", help="the program to run")


@dataclass(slots=True)
class Outcome:
    seed: int
    failed: bool
    said: str  # "exit status 1", "timed out after 5 s"
    output: str
    source: SeededSource


class Fuzzer:
    def __init__(self, server: MockServer, command: list[str], profile_name: str, timeout: float) -> None:
        self.server, self.command, self.profile_name, self.timeout = server, command, profile_name, timeout
        self.env = {**os.environ, "ANTHROPIC_BASE_URL": server.base_url, "ANTHROPIC_API_KEY": DUMMY_KEY}

    def run(self, seed: int, simplify: Simplify = NO_LIMITS) -> Outcome:
        source = SeededSource(seed, profile(self.profile_name), simplify)
        self.server.app.set_reply_source(source)
        process = subprocess.Popen(self.command, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            _, errors = process.communicate(timeout=self.timeout)
            said = f"exit status {process.returncode}"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _, errors = process.communicate()
            said = f"timed out after {self.timeout:g} s"
        failed = process.returncode != 0
        return Outcome(seed, failed, said, errors.decode(errors="replace"), source)

    def replay_line(self, seed: int, simplify: Simplify) -> str:
        limits = f" --fuzz-simplify {simplify}" if str(simplify) else ""
        return (f"replay: mockserver serve --port 4010 --fuzz {seed} --profile {self.profile_name}{limits}  "
                f"# then: ANTHROPIC_BASE_URL=http://127.0.0.1:4010 {shlex.join(self.command)}")


def run(args: argparse.Namespace) -> int:
    from ..server import MockServer  # uvicorn loads only when this command runs

    command = list(args.program)
    if command[:1] == ["--"]:
        command = command[1:]
    if not command or args.runs < 1:
        print("mockserver fuzz: give --runs N (N >= 1) and a command after --", file=sys.stderr)
        return 2
    if shutil.which(command[0]) is None:
        print(f"mockserver fuzz: cannot run {command[0]!r}: not found", file=sys.stderr)
        return 2
    with MockServer(Config()) as server:
        fuzzer = Fuzzer(server, command, args.profile, args.timeout)
        failures = []
        for number in range(args.runs):
            outcome = fuzzer.run(args.seed + number)
            if outcome.failed:
                failures.append(outcome)
                _report(fuzzer, outcome, NO_LIMITS)
        print(f"mockserver fuzz: {args.runs} runs, {len(failures)} failed"
              + (f" (seeds {', '.join(str(f.seed) for f in failures)})" if failures else ""), flush=True)
        if failures and args.shrink:
            _shrink(fuzzer, failures[0])
    return 1 if failures else 0


def _report(fuzzer: Fuzzer, outcome: Outcome, simplify: Simplify) -> None:
    print(f"--- seed {outcome.seed}: {outcome.said}", flush=True)
    print(describe(outcome.source.sent, outcome.source.draws))
    tail = outcome.output.strip().splitlines()[-OUTPUT_LINES:]
    if tail:
        print("stderr (last lines):\n  " + "\n  ".join(tail))
    print(fuzzer.replay_line(outcome.seed, simplify), flush=True)


def _shrink(fuzzer: Fuzzer, failure: Outcome) -> None:
    print(f"--- shrinking seed {failure.seed}", flush=True)
    last: dict[Simplify, Outcome] = {}

    def fails(simplify: Simplify) -> bool:
        outcome = fuzzer.run(failure.seed, simplify)
        last[simplify] = outcome
        return outcome.failed

    simplest, tries = shrink(fails)
    outcome = last.get(simplest) or fuzzer.run(failure.seed, simplest)
    print(f"shrunk in {tries} runs to {size(outcome.source.sent)} ({str(simplest) or 'no simplification kept'})")
    _report(fuzzer, outcome, simplest)

"""The official TypeScript SDK under `mockserver fuzz` (programs/sdk_fuzz.mjs: create, then the streaming
helper), with the SDK installed by tests/sdk_installs.py.

Finding (@anthropic-ai/sdk 1.16): a plain reply whose connection is cut mid-body escapes as undici's
`TypeError: terminated`, not as the SDK's APIConnectionError. Every other fuzzed reply is read or
refused cleanly; this test holds both, so a new failure kind (or the finding's fix) shows up here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ..sdk_installs import node_sdk

PROGRAM = Path(__file__).parent / "programs" / "sdk_fuzz.mjs"


def fuzz_the_sdk(*args: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which("node"), "node is required for the TypeScript SDK tests"
    folder = node_sdk()
    (folder / PROGRAM.name).write_text(PROGRAM.read_text())
    return subprocess.run([sys.executable, "-m", "mockserver", "fuzz", *args, "--timeout", "60", "--",
                           "node", PROGRAM.name], capture_output=True, text=True, timeout=900, cwd=folder)


def test_the_typescript_sdk_reads_every_reply_of_today_and_tomorrow():
    result = fuzz_the_sdk("--runs", "8", "--profile", "future")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "8 runs, 0 failed" in result.stdout


def test_its_only_failure_under_faults_is_a_cut_plain_reply():
    result = fuzz_the_sdk("--runs", "10", "--seed", "0", "--profile", "faults")
    failures = result.stdout.split("--- seed ")[1:]
    assert result.returncode == 1 and failures, result.stdout[-4000:]
    for failure in failures:
        assert "200 JSON" in failure and "fault: connection cut" in failure, failure[:2000]
        assert "create: TypeError: terminated" in failure, failure[:2000]

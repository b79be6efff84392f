"""The official TypeScript SDK under `mockserver fuzz` (programs/sdk_fuzz.mjs: create, then the streaming
helper), with the SDK installed by tests/sdk_installs.py.

Finding (@anthropic-ai/sdk 1.16): a plain reply whose connection is cut mid-body escaped as undici's
`TypeError: terminated`, not as the SDK's APIConnectionError. 1.17 (pinned now) fixed it: every
fuzzed reply, faults included, is read or refused cleanly, and this test holds that.
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


def test_faults_reach_the_program_as_the_sdks_own_errors():
    result = fuzz_the_sdk("--runs", "10", "--seed", "0", "--profile", "faults")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "10 runs, 0 failed" in result.stdout

"""`mockserver fuzz -- CMD` end to end: a Python script and a Node client, buggy and fixed; the report,
--shrink, and the replay line (`mockserver serve --fuzz SEED ...`) reproducing the failure."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from mockserver.testing import MockProcess

PROGRAMS = Path(__file__).parent / "programs"
PYTHON_CLIENT = [sys.executable, str(PROGRAMS / "first_block.py")]
NODE_CLIENT = ["node", str(PROGRAMS / "sse_client.mjs")]


def fuzz(*args: str, program: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mockserver", "fuzz", *args, "--", *program],
                          capture_output=True, text=True, timeout=600)


def test_a_buggy_script_fails_shrinks_and_replays():
    result = fuzz("--runs", "4", "--seed", "10", "--profile", "today", "--shrink", program=PYTHON_CLIENT)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    failed = re.search(r"4 runs, (\d+) failed \(seeds ([\d, ]+)\)", out)
    assert failed and int(failed.group(1)) >= 1, out
    assert "--- seed" in out and "the mock sent 1 reply" in out and "reply 1: 200 JSON" in out
    shrunk = re.search(r"shrunk in \d+ runs to 1 reply, (\d+) blocks?", out)
    assert shrunk and int(shrunk.group(1)) <= 1, out  # content[0] needs at most one block to break
    replay = re.findall(r"replay: mockserver serve --port 4010 (--fuzz .*?)  # then", out)[-1]
    first_seed = int(failed.group(2).split(",")[0])
    assert replay.startswith(f"--fuzz {first_seed} --profile today --fuzz-simplify ")
    with MockProcess(args=shlex.split(replay)) as mock:  # the replay line reproduces the shrunk failure
        env = {**os.environ, "ANTHROPIC_BASE_URL": mock.base_url, "ANTHROPIC_API_KEY": "sk-ant-test"}
        again = subprocess.run(PYTHON_CLIENT, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode == 1
    last_error = again.stderr.strip().splitlines()[-1]
    assert last_error in out.split("--- shrinking")[1]


def test_the_fixed_script_passes_every_run():
    result = fuzz("--runs", "4", "--profile", "today", program=[*PYTHON_CLIENT, "--fixed"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 runs, 0 failed" in result.stdout


def test_a_node_client_that_splits_events_on_blank_lines_only_fails():
    assert shutil.which("node"), "node is required for the mockserver fuzz end-to-end test"
    result = fuzz("--runs", "8", "--seed", "1", "--profile", "today", program=NODE_CLIENT)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "reply 1: 200 SSE" in result.stdout and "replay: mockserver serve" in result.stdout
    fixed = fuzz("--runs", "8", "--seed", "1", "--profile", "today", program=[*NODE_CLIENT, "--fixed"])
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def test_a_run_that_hangs_is_reported_as_timed_out():
    result = fuzz("--runs", "1", "--timeout", "1", program=[sys.executable, "-c", "import time; time.sleep(60)"])
    assert result.returncode == 1
    assert "timed out after 1 s" in result.stdout and "the mock sent no fuzzed reply" in result.stdout


def test_a_program_that_does_not_exist_is_a_usage_error():
    result = fuzz("--runs", "1", program=["no-such-program-for-mockserver-fuzz"])
    assert result.returncode == 2 and "not found" in result.stderr

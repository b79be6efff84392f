"""The official Python SDK's own generated test suite, pointed at the mock started with Steady's command
line (`mockserver steady`, which serves `--stateless`), as the SDK's scripts/mock starts Steady. The whole
suite runs: every route the SDK calls is in the spec."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from mockserver.testing import free_port, wait_for_health

from .sdk_installs import generated_sdk_suite

# Every file of the SDK's tests/api_resources/: the spec serves every operation the SDK calls.
SUITE = "tests/api_resources"


# The SDK's scripts/mock runs `steady --host 127.0.0.1 -p 4010 <these flags> "$URL"` (URL from .stats.yml).
STEADY_FLAGS = ["--validator-query-array-format=brackets", "--validator-form-array-format=brackets",
                "--validator-query-object-format=brackets", "--validator-form-object-format=brackets"]
SPEC_URL = "https://example.invalid/openapi/anthropic.yml"  # stands for that URL: the mock never fetches it


@contextmanager
def steady_replacement() -> Iterator[str]:
    """Our executable in Steady's place, with scripts/mock's flags (on a free port, not 4010: tests run in
    parallel), waited for on Steady's health route as scripts/mock does."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "mockserver"), "steady", "--host", "127.0.0.1", "-p", str(port),
               *STEADY_FLAGS, SPEC_URL]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_health(f"http://127.0.0.1:{port}/_x-steady/health", process, timeout=60)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_generated_sdk_suite_passes_against_the_steady_command_line():
    source, python = generated_sdk_suite()
    with steady_replacement() as base_url:
        result = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", SUITE],
                                cwd=source, env={**os.environ, "TEST_API_BASE_URL": base_url},
                                capture_output=True, text=True, timeout=1800)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in summary and "failed" not in summary

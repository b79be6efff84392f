"""The last 0.x Python SDK (API 2023-06-01, x-api-key, beta namespace, completions) against the mock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from .sdk_installs import legacy_python_sdk

CALLS = Path(__file__).parent / "legacy" / "calls.py"


@pytest.mark.parametrize("stateless", [False, True], ids=["stateful", "stateless"])
def test_legacy_sdk_covers_its_operations(stateless):
    sdk_path = legacy_python_sdk()
    with MockServer(Config(stateless=stateless, batch_seconds=0)) as server:
        env = {**os.environ, "PYTHONPATH": str(sdk_path)}
        result = subprocess.run([sys.executable, str(CALLS), server.base_url], env=env,
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-4000:]
    done = set(result.stdout.split())
    assert "completions_create" in done and "skills_delete" in done

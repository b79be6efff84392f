"""The beta admin operations the TypeScript 1.16.0 SDK calls (compliance review, Claude Code managed
settings, external storage, Google data controls), through the Python SDK's own generated tests for
them against `--stateless`. Only the synchronous client's `test_method_*` tests run (each operation with
its required and with all its parameters): the raw, streaming and async variants call the same routes."""

from __future__ import annotations

import os
import subprocess

from mockserver.config import Config
from mockserver.server import MockServer

from .sdk_installs import generated_sdk_suite

BETA_ADMIN_FILES = [
    "beta/compliance/review/test_cases.py", "beta/compliance/review/test_items.py",
    "beta/compliance/review/test_notices.py", "beta/organization/claude_code/managed_settings/test_configuration.py",
    "beta/organization/claude_code/managed_settings/test_rbac_group_default.py",
    "beta/organization/claude_code/managed_settings/test_rbac_groups.py",
    "beta/organization/test_external_storage.py", "beta/organization/providers/google/projects/test_data_controls.py",
    "beta/user_profiles/providers/google/test_data_controls.py",
]


def test_generated_beta_admin_tests_pass_against_stateless_mode():
    source, python = generated_sdk_suite()
    files = [f"tests/api_resources/{name}" for name in BETA_ADMIN_FILES]
    with MockServer(Config(stateless=True)) as server:
        result = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
                                 "-k", "test_method and not Async", *files],
                                cwd=source, env={**os.environ, "TEST_API_BASE_URL": server.base_url},
                                capture_output=True, text=True, timeout=600)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in summary and "failed" not in summary
    assert int(summary.split(" passed")[0].split()[-1]) >= 40  # the files ran, not an empty selection

"""The official Python SDK's own generated test suite, pointed at `--stateless` on a real socket, as it
would be pointed at Prism or Steady on port 4010. Only the suites of the routes we serve are run."""

from __future__ import annotations

import os
import subprocess

from mockserver.config import Config
from mockserver.server import MockServer

from .sdk_installs import generated_sdk_suite

IN_SCOPE = [
    "test_messages.py", "messages/test_batches.py", "test_models.py", "test_files.py", "test_skills.py",
    "skills/test_versions.py", "test_organization.py", "organization/test_api_keys.py", "organization/test_users.py",
    "organization/test_invites.py", "organization/test_workspaces.py", "organization/workspaces/test_members.py",
    "beta/test_messages.py", "beta/messages/test_batches.py", "beta/test_models.py", "beta/test_files.py",
    "beta/test_skills.py", "beta/skills/test_versions.py", "beta/organization/analytics/test_usage_report.py",
    "beta/organization/analytics/test_cost_report.py", "beta/test_organization.py",
    "beta/organization/test_api_keys.py", "beta/organization/test_users.py", "beta/organization/test_invites.py",
    "beta/organization/test_workspaces.py", "beta/organization/workspaces/test_members.py",
]


def test_generated_sdk_suite_passes_against_stateless_mode():
    source, python = generated_sdk_suite()
    files = [f"tests/api_resources/{name}" for name in IN_SCOPE]
    with MockServer(Config(stateless=True)) as server:
        result = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", *files],
                                cwd=source, env={**os.environ, "TEST_API_BASE_URL": server.base_url},
                                capture_output=True, text=True, timeout=900)
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr[-2000:]
    assert result.returncode == 0, result.stdout[-6000:]
    assert " passed" in summary and "failed" not in summary

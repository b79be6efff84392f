"""The GitHub Action (action.yml) and the script it runs: a real start, a health wait, the exported address."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import yaml

from mockserver.testing import free_port

from .helpers import headers

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "ci-start.sh"
MOCKSERVER = str(Path(sys.executable).parent / "mockserver")


def _run_script(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, dict[str, str], str]:
    github_env, github_output = tmp_path / "github_env", tmp_path / "github_output"
    github_env.write_text("EARLIER=1\n")
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=120, env={
        **os.environ, "MOCKSERVER_BIN": MOCKSERVER, "MOCKSERVER_LOG": str(tmp_path / "mockserver.log"),
        "GITHUB_ENV": str(github_env), "GITHUB_OUTPUT": str(github_output), **env})
    exported = dict(line.split("=", 1) for line in github_env.read_text().splitlines())
    outputs = github_output.read_text() if github_output.exists() else ""
    return result, exported, outputs


def test_the_script_starts_the_mock_waits_for_health_and_exports_its_address(tmp_path):
    port = free_port()
    result, exported, outputs = _run_script(tmp_path, MOCKSERVER_PORT=str(port),
                                            MOCKSERVER_ARGS="--stateless --seed 7")
    base_url = f"http://127.0.0.1:{port}"
    try:
        assert result.returncode == 0, result.stderr
        assert exported["EARLIER"] == "1"  # appended, as GitHub expects
        assert exported["ANTHROPIC_BASE_URL"] == exported["TEST_API_BASE_URL"] == base_url
        assert f"base-url={base_url}" in outputs and f"pid={exported['MOCKSERVER_PID']}" in outputs
        health = httpx.get(f"{base_url}/_mock/health").json()  # up already: the script waited for it
        assert health["stateless"] is True
        reply = httpx.get(f"{exported['ANTHROPIC_BASE_URL']}/v1/models", headers=headers())
        assert reply.status_code == 200
        assert "listening on" in (tmp_path / "mockserver.log").read_text()
    finally:
        if "MOCKSERVER_PID" in exported:
            os.kill(int(exported["MOCKSERVER_PID"]), signal.SIGTERM)


def test_a_mock_that_cannot_start_fails_the_step_with_its_output(tmp_path):
    result, exported, outputs = _run_script(tmp_path, MOCKSERVER_PORT=str(free_port()),
                                            MOCKSERVER_ARGS="--latency soon")
    assert result.returncode == 1
    assert "exited before it was healthy" in result.stderr and "not a duration: 'soon'" in result.stderr
    assert exported == {"EARLIER": "1"} and outputs == ""


def test_the_action_runs_the_script_with_the_variables_it_reads():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    start = next(step for step in action["runs"]["steps"] if step.get("id") == "start")
    assert start["run"] == 'bash "$GITHUB_ACTION_PATH/scripts/ci-start.sh"'
    script = SCRIPT.read_text()
    assert all(f"${{{name}:-" in script for name in start["env"])  # each variable the step sets is read
    assert set(action["outputs"]) == {"base-url", "pid"}
    assert os.access(SCRIPT, os.X_OK)

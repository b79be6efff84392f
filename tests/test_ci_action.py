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


def test_the_action_sets_up_its_own_python_and_hands_the_installed_bin_to_the_start():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    steps = action["runs"]["steps"]
    setup = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python@"))
    assert setup["with"]["python-version"] == "${{ inputs.python-version }}"
    assert action["inputs"]["python-version"]["default"] >= "3.11"
    install = next(step for step in steps if step.get("id") == "install")
    assert install["run"] == 'bash "$GITHUB_ACTION_PATH/scripts/ci-install.sh"'
    start = next(step for step in steps if step.get("id") == "start")
    assert start["env"]["MOCKSERVER_BIN"] == "${{ steps.install.outputs.bin }}"
    assert os.access(ROOT / "scripts" / "ci-install.sh", os.X_OK)


def test_the_install_script_refuses_an_old_python_in_one_clear_message(tmp_path):
    old = tmp_path / "python3.10"
    old.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'Python 3.10.12' && exit 0\nexit 1\n")
    old.chmod(0o755)
    result = subprocess.run(["bash", str(ROOT / "scripts" / "ci-install.sh")], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "MOCKSERVER_PYTHON": str(old),
                                             "MOCKSERVER_VENV": str(tmp_path / "venv")})
    assert result.returncode == 1
    assert "needs Python 3.11 or newer" in result.stderr and "Python 3.10.12" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_the_install_script_installs_a_working_mockserver_and_says_where(tmp_path):
    github_output = tmp_path / "github_output"
    result = subprocess.run(["bash", str(ROOT / "scripts" / "ci-install.sh")], capture_output=True, text=True,
                            timeout=600, env={**os.environ, "MOCKSERVER_PYTHON": sys.executable,
                                              "MOCKSERVER_VENV": str(tmp_path / "venv"),
                                              "GITHUB_OUTPUT": str(github_output)})
    assert result.returncode == 0, result.stderr[-3000:]
    installed = github_output.read_text().strip().removeprefix("bin=")
    assert installed == str(tmp_path / "venv" / "bin" / "mockserver")
    help_text = subprocess.run([installed, "serve", "--help"], capture_output=True, text=True, timeout=60)
    assert help_text.returncode == 0 and "--port PORT" in help_text.stdout

"""Feedback where work is long: `serve`'s start-up summary, and `mockserver contract`'s progress (a bar on a
terminal, plain lines elsewhere)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from mockserver.config import Config
from mockserver.server import MockServer
from mockserver.summary import startup_summary

CONTRACT = [sys.executable, "-m", "mockserver", "contract", "--operation", "models_list", "--operation",
            "models_retrieve", "--examples", "1", "--max-requests", "30"]


def test_the_summary_names_mode_port_rules_store_and_faults(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - respond: {error: overloaded_error}\n  - respond: {text: hi}\n")
    config = Config(port=4321, rules_files=(rules,), data_dir=tmp_path / "state", latency="50ms",
                    error_rates=("overloaded_error=0.1",), query_array_format="comma")
    lines = startup_summary(config, 4321).splitlines()
    assert lines[0] == "anthropic-mockserver listening on http://127.0.0.1:4321"
    assert lines[-1] == "ANTHROPIC_BASE_URL=http://127.0.0.1:4321"
    rows = {line.split()[0]: line for line in lines[1:-1]}
    assert "stateful" in rows["mode"]
    assert f"2 from {rules}" in rows["rules"]
    assert f"SQLite in {tmp_path / 'state'}" in rows["store"]
    assert "latency 50ms" in rows["faults"] and "error overloaded_error=0.1" in rows["faults"]
    assert "operations" in rows["spec"] and "arrays comma" in rows["queries"]
    assert len(lines) <= 24  # one screen

    stateless = startup_summary(Config(stateless=True, fuzz_seed=3), 4010)
    assert "stateless" in stateless and "fuzzed with seed 3" in stateless and "faults   none" in stateless


def test_contract_progress_is_plain_lines_when_not_a_terminal():
    with MockServer(Config()) as server:
        result = subprocess.run([*CONTRACT, "--base-url", server.base_url], capture_output=True, text=True,
                                timeout=300)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "[ 1/2] GET /v1/models" in result.stdout and "[ 2/2] GET /v1/models/" in result.stdout
    assert "\r" not in result.stdout and "\x1b[" not in result.stdout


def test_contract_shows_a_progress_bar_on_a_terminal():
    with MockServer(Config()) as server:
        leader, follower = pty.openpty()
        process = subprocess.Popen([*CONTRACT, "--base-url", server.base_url], stdout=follower,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        os.close(follower)
        screen = _read_all(leader)
        assert process.wait(timeout=300) == 0, screen[-3000:]
    assert "\r\x1b[K  [###############---------------] 1/2 GET /v1/models" in screen
    assert "[##############################] 2/2 GET /v1/models/" in screen
    assert "[ 1/2]" not in screen  # no plain progress lines
    assert "all checks passed" in screen  # the summary still follows


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal's other end closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode(errors="replace")

"""Feedback where work is long: `serve`'s start-up summary, and `mockserver contract`'s progress (a bar on a
terminal, plain lines elsewhere)."""

from __future__ import annotations

import argparse
import os
import pty
import sys
import threading

from mockserver import contract
from mockserver.config import Config
from mockserver.contract.progress import PlainProgress, ProgressBar, progress_for
from mockserver.contract.results import OperationReport
from mockserver.server import MockServer
from mockserver.summary import startup_summary

CONTRACT = ["--operation", "models_list", "--operation", "models_retrieve", "--examples", "1", "--max-requests", "30"]


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
    read, write = os.pipe()
    with os.fdopen(write, "w") as pipe:
        progress = progress_for(pipe)
        progress(OperationReport("GET /v1/models", "models_list"), 1, 2)
        progress.close()
    with os.fdopen(read) as output:
        printed = output.read()
    assert isinstance(progress, PlainProgress) and not isinstance(progress, ProgressBar)
    assert printed.startswith("  [ 1/2] GET /v1/models") and printed.count("\n") == 1 and "\x1b[" not in printed


def test_contract_shows_a_progress_bar_on_a_terminal(monkeypatch):
    leader, follower = pty.openpty()
    chunks: list[bytes] = []
    reader = threading.Thread(target=_drain, args=(leader, chunks), daemon=True)
    reader.start()
    terminal = os.fdopen(follower, "w")
    monkeypatch.setattr(sys, "stdout", terminal)
    with MockServer(Config()) as server:
        code = run_contract_command([*CONTRACT, "--base-url", server.base_url])
    terminal.close()  # the reader sees the end of the terminal
    reader.join(timeout=30)
    screen = b"".join(chunks).decode(errors="replace")
    assert code == 0, screen[-3000:]
    assert "\r\x1b[K  [###############---------------] 1/2 GET /v1/models" in screen
    assert "[##############################] 2/2 GET /v1/models/" in screen
    assert "[ 1/2]" not in screen  # no plain progress lines
    assert "all checks passed" in screen  # the summary still follows


def run_contract_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    contract.add_parser(parser.add_subparsers(dest="command"))
    return contract.run(parser.parse_args(["contract", *argv]))


def _drain(fd: int, chunks: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)


def test_the_summary_names_a_postgresql_store_without_its_password():
    from mockserver.summary import startup_summary

    text = startup_summary(Config(store="postgresql://mock:s3cret@db.internal:5432/mock"), 4010)
    store = next(line for line in text.splitlines() if line.strip().startswith("store"))
    assert "PostgreSQL at postgresql://mock:***@db.internal:5432/mock" in store
    assert "s3cret" not in text

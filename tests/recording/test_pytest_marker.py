"""`@pytest.mark.anthropic_cassette` with `--anthropic-record-mode`: a test suite records once
against an upstream, then replays offline by default (record mode none), and fails loudly when a
test sends something never recorded."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from .support import dead_url, upstream

SUITE = textwrap.dedent('''
    import os
    import pytest

    def ask(anthropic_mock, prompt):
        return anthropic_mock.client(max_retries=0).messages.create(
            model="claude-sonnet-4-6", max_tokens=20, messages=[{"role": "user", "content": prompt}])

    @pytest.mark.anthropic_cassette()
    def test_story(anthropic_mock):
        print("TEXT=" + ask(anthropic_mock, "Tell me a story").content[0].text)

    @pytest.mark.anthropic_cassette("shared-name")
    def test_named(anthropic_mock):
        assert anthropic_mock.client(max_retries=0).messages.count_tokens(
            model="claude-sonnet-4-6", messages=[{"role": "user", "content": "hi"}]).input_tokens > 0

    @pytest.mark.anthropic_cassette()
    def test_drifting(anthropic_mock):
        ask(anthropic_mock, os.environ.get("PROMPT", "Tell me a joke"))
''')


def _run(folder, *options: str, prompt: str = "Tell me a joke") -> subprocess.CompletedProcess[str]:
    (folder / "test_sample.py").write_text(SUITE)
    environment = {**os.environ, "PROMPT": prompt, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                           "-p", "mockserver.pytest_plugin", "test_sample.py", *options],
                          cwd=folder, capture_output=True, text=True, timeout=180, env=environment)


def _text(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("TEXT="))


def test_record_once_then_replay_by_default_and_fail_on_a_new_request(tmp_path):
    with upstream() as real:
        recorded = _run(tmp_path, "--anthropic-record-mode", "once", "--anthropic-upstream-url", real.base_url)
    assert recorded.returncode == 0, recorded.stdout[-3000:]
    assert "3 passed" in recorded.stdout
    for name in ("test_story", "shared-name", "test_drifting"):
        assert (tmp_path / "cassettes" / "test_sample" / f"{name}.yaml").exists()
    # Default mode none, upstream gone: two tests replay, the one whose request changed fails loudly.
    replayed = _run(tmp_path, "--anthropic-upstream-url", dead_url(), prompt="Tell me a riddle")
    assert replayed.returncode == 1, replayed.stdout[-3000:]
    assert "1 failed, 2 passed" in replayed.stdout
    assert _text(replayed.stdout) == _text(recorded.stdout)
    assert "test_drifting" in replayed.stdout and "599" in replayed.stdout and "mock_cassette_miss" in replayed.stdout
    assert "'Tell me a joke' != 'Tell me a riddle'" in replayed.stdout

"""Record and replay for pytest-recording users: per-test marker options, redacted paths matched as
redacted, a miss that tells the SDK not to retry, every client pointed at the mock, volatile headers
kept out of cassettes, and --block-network."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import anthropic
import httpx
import pytest
import yaml

from .support import dead_url, recorder, upstream

SUITE = textwrap.dedent('''
    import os
    import anthropic
    import pytest

    PROMPT = os.environ.get("PROMPT", "Tell me a joke")

    @pytest.mark.anthropic_cassette(record_mode=os.environ.get("MARKER_MODE") or None,
                                    redact=["$.metadata.user_id"], match_on=["anthropic-beta"])
    def test_own_client(anthropic_mock):
        client = anthropic.Anthropic(max_retries=2)  # built from ANTHROPIC_BASE_URL, as app code does
        reply = client.messages.create(model="claude-sonnet-4-6", max_tokens=20,
                                       metadata={"user_id": os.environ.get("USER_ID", "alice")},
                                       messages=[{"role": "user", "content": PROMPT}])
        print("TEXT=" + reply.content[0].text)

    def test_network_blocked():
        import socket
        with pytest.raises(OSError, match="block-network"):
            socket.create_connection(("192.0.2.1", 443), timeout=1)
''')


def _run(folder, *options: str, **environment: str) -> subprocess.CompletedProcess[str]:
    (folder / "test_sample.py").write_text(SUITE)
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **environment}
    env.pop("ANTHROPIC_BASE_URL", None)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                           "-p", "mockserver.pytest_plugin", "test_sample.py", "--block-network", *options],
                          cwd=folder, capture_output=True, text=True, timeout=180, env=env)


def _cassette(folder) -> dict:
    return yaml.safe_load((folder / "cassettes" / "test_sample" / "test_own_client.yaml").read_text())


def test_marker_options_record_then_replay_with_redaction_and_clean_headers(tmp_path):
    with upstream() as real:
        recorded = _run(tmp_path, "--anthropic-upstream-url", real.base_url, MARKER_MODE="once",
                        ANTHROPIC_API_KEY="sk-ant-api03-real-key-never-written")
    assert recorded.returncode == 0, recorded.stdout[-3000:]
    assert "2 passed" in recorded.stdout
    cassette = _cassette(tmp_path)
    request = cassette["interactions"][0]["request"]
    assert request["body"]["json"]["metadata"]["user_id"] == "<redacted>"
    assert not any(name.startswith("x-stainless-") or name == "user-agent" for name in request["headers"])
    assert "sk-ant-api03-real-key" not in (tmp_path / "cassettes" / "test_sample" / "test_own_client.yaml").read_text()
    # Replay (the marker's mode is gone: default none), another user id: the redacted path still matches.
    replayed = _run(tmp_path, "--anthropic-upstream-url", dead_url(), USER_ID="bob")
    assert replayed.returncode == 0, replayed.stdout[-3000:]
    assert _text(replayed.stdout) == _text(recorded.stdout)


def test_a_miss_is_not_retried_and_names_the_cassette(tmp_path):
    with upstream() as real:
        assert _run(tmp_path, "--anthropic-upstream-url", real.base_url, MARKER_MODE="once").returncode == 0
    missed = _run(tmp_path, "--anthropic-upstream-url", dead_url(), PROMPT="Tell me a riddle")
    assert missed.returncode == 1 and "1 failed, 1 passed" in missed.stdout, missed.stdout[-3000:]
    assert "'test_sample/test_own_client.yaml'" in missed.stdout and "mock_cassette_miss" in missed.stdout


def test_the_sdk_does_not_retry_a_miss(tmp_path):
    (tmp_path / "empty").mkdir()
    with recorder(tmp_path / "empty", None, mode="none", journal=True) as replaying:
        client = anthropic.Anthropic(base_url=replaying.base_url, api_key="sk-ant-api03-x", max_retries=2)
        with pytest.raises(anthropic.APIStatusError) as raised:
            client.models.list()
        assert raised.value.status_code == 599
        assert raised.value.response.headers["x-should-retry"] == "false"
        journal = httpx.get(f"{replaying.base_url}/_mock/journal").json()["requests"]
        assert len(journal) == 1  # two retries allowed, none made


def _text(output: str) -> str:
    return next(line for line in output.splitlines() if line.startswith("TEXT="))

"""Two pytest-xdist workers share one mock server; the plugin's isolation keys keep their rules,
counters and journals apart. Runs a nested `pytest -n 2` on a generated test file."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from ..helpers import MODEL

GENERATED = textwrap.dedent(f'''
    import os
    import time

    import anthropic
    import pytest

    ASK = {{"model": "{MODEL}", "max_tokens": 16, "messages": [{{"role": "user", "content": "hi"}}]}}


    def note(tmp_dir):
        with open(os.path.join(tmp_dir, "workers.txt"), "a") as out:
            out.write(os.environ.get("PYTEST_XDIST_WORKER", "main") + "\\n")


    @pytest.mark.parametrize("n", range(10))
    def test_sequence_is_mine(anthropic_mock, n):
        note(os.environ["ISOLATION_DIR"])
        rule = anthropic_mock.add_rule(sequence=[{{"text": f"mine-{{n}}-a"}}, {{"text": f"mine-{{n}}-b"}}])
        time.sleep(0.05)  # let the other worker's tests overlap with this one
        client = anthropic_mock.client(max_retries=0)
        texts = [client.messages.create(**ASK).content[0].text for _ in range(3)]
        assert texts == [f"mine-{{n}}-a", f"mine-{{n}}-b", f"mine-{{n}}-b"]
        journal = anthropic_mock.journal()
        assert len(journal) == 3
        assert {{e["session"] for e in journal}} == {{anthropic_mock.session}}
        assert {{e["rule"] for e in journal}} == {{rule["id"]}}
        assert [r["id"] for r in anthropic_mock.rules()] == [rule["id"]]
        anthropic_mock.verify(count=3, operation="messages_create")


    @pytest.mark.parametrize("n", range(6))
    def test_fail_next_is_mine(anthropic_mock, n):
        anthropic_mock.fail_next(n % 3, "overloaded_error", retry_after=0.01)
        client = anthropic_mock.client(max_retries=2)
        assert client.messages.create(**ASK).content
        assert [e["status"] for e in anthropic_mock.journal()] == [529] * (n % 3) + [200]


    @pytest.mark.anthropic_rules("rules.yaml")
    def test_marker_loads_a_rules_file(anthropic_mock):
        client = anthropic_mock.client(max_retries=0)
        assert client.messages.create(**ASK).content[0].text == "from the rules file"
        with pytest.raises(anthropic.RateLimitError):
            client.messages.create(**ASK)
''')


@pytest.fixture(scope="module")
def shared_server():
    with MockServer(Config()) as server:
        yield server


def test_two_xdist_workers_never_see_each_other(shared_server, tmp_path):
    (tmp_path / "test_generated.py").write_text(GENERATED)
    (tmp_path / "rules.yaml").write_text(
        "- sequence: [{text: from the rules file}, {error: {type: rate_limit_error, retry_after: 1}}]\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "-n", "2", "-q", "-p", "no:cacheprovider", "-c",
               str(tmp_path / "pytest.ini"), "--rootdir", str(tmp_path),
               "--anthropic-mock-url", shared_server.base_url, str(tmp_path / "test_generated.py")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path,
                            env={**__import__("os").environ, "ISOLATION_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "17 passed" in result.stdout
    workers = set((tmp_path / "workers.txt").read_text().split())
    assert workers == {"gw0", "gw1"}


def test_the_handle_on_its_own():
    """MockHandle works against any server URL, outside of pytest fixtures too."""
    from mockserver.pytest_plugin import MockHandle

    with MockServer(Config()) as server:
        handle = MockHandle(server.base_url)
        handle.reply_with("hello from the handle", times=1)
        client = handle.client(max_retries=0)
        ask = {"model": MODEL, "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}
        assert client.messages.create(**ask).content[0].text == "hello from the handle"
        assert client.messages.create(**ask).content[0].text != "hello from the handle"
        assert handle.count(status=200) == 2
        with pytest.raises(AssertionError):
            handle.verify(count=5)
        handle.close()


def test_anthropic_mock_fixture(anthropic_mock):
    anthropic_mock.fail_next(1, "api_error", retry_after=0.01)
    client = anthropic_mock.client()
    ask = {"model": MODEL, "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}
    assert client.messages.create(**ask).content
    anthropic_mock.verify(count=2)
    anthropic_mock.verify(count=1, status=500)
    anthropic_mock.set_state("flow", "two")
    assert anthropic_mock.states() == {"flow": "two"}

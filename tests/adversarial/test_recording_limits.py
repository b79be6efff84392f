"""Issue 23, F7, F8 and F9: recording appends each interaction (a large cassette is never rewritten),
the proxy answers a broken or hung upstream with 502 or 504 in the envelope, and a hostile cassette
file is a 4xx naming the file and its problem (at start-up: a message, no traceback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import yaml

from ..helpers import KEY, LEGACY, MESSAGE_BODY
from .servers import ServerProcess
from .support import assert_envelope, assert_invalid_request, request_bytes, send_raw, while_misbehaving
from .upstream import Upstream

PROXY_TIMEOUT = 2


def message(server, **extra: str):
    sent = {"anthropic-version": LEGACY, "content-type": "application/json", "x-api-key": KEY,
            **{name.replace("_", "-"): value for name, value in extra.items()}}
    return send_raw(server, request_bytes("POST", "/v1/messages", sent, json.dumps(MESSAGE_BODY).encode()), 60)


@pytest.fixture(scope="module")
def upstream():
    with Upstream() as server:
        yield server


@pytest.fixture(scope="module")
def proxy(upstream, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cassettes")
    with ServerProcess("--proxy", upstream.url, "--cassettes", str(folder), "--record-mode", "passthrough",
                       "--proxy-timeout", str(PROXY_TIMEOUT)) as server:
        yield server


@pytest.mark.parametrize("kind, says", [("short", "did not answer"), ("garbled", "did not answer"),
                                        ("status999", "status 999")])
def test_f8_a_broken_upstream_is_502_in_the_envelope(proxy, upstream, kind, says):
    response = while_misbehaving(proxy, lambda: message(proxy, x_upstream=kind))
    assert_envelope(response, 502, "mock_upstream_error", upstream.url, says)


def test_f8_a_hung_upstream_is_504_after_the_proxy_timeout(proxy, upstream):
    response = while_misbehaving(proxy, lambda: message(proxy, x_upstream="hang"), checks=3)
    assert_envelope(response, 504, "timeout_error", upstream.url, f"within {PROXY_TIMEOUT} s", "--proxy-timeout")
    assert message(proxy).status == 200  # and the next request is forwarded as usual


def _big_cassette(path, interactions: int, text_bytes: int) -> None:
    item = {"request": {"operation": "messages_create", "method": "POST", "uri": "/v1/messages", "headers": {},
                        "body": {"json": {**MESSAGE_BODY, "messages": [{"role": "user", "content": "old"}]}}},
            "response": {"status": 200, "headers": {"content-type": "application/json"},
                         "body": {"string": "x" * text_bytes}}}
    path.write_text(yaml.safe_dump({"version": 1, "interactions": [item] * interactions}, sort_keys=False))


def test_f7_recording_appends_to_a_large_cassette_instead_of_rewriting_it(upstream, tmp_path):
    cassette = tmp_path / "default.yaml"
    _big_cassette(cassette, 40, 250_000)  # 10 MB (the red team's was 68 MB, 8 s a request)
    before = cassette.stat()
    head = cassette.read_bytes()
    with ServerProcess("--proxy", upstream.url, "--cassettes", str(tmp_path), "--record-mode",
                       "new_episodes") as server:
        for n in range(3):
            sent = {"anthropic-version": LEGACY, "content-type": "application/json", "x-api-key": KEY}
            body = json.dumps({**MESSAGE_BODY, "messages": [{"role": "user", "content": f"new {n}"}]}).encode()
            recorded = while_misbehaving(server, lambda: send_raw(server, request_bytes(
                "POST", "/v1/messages", sent, body)))
            assert recorded.status == 200 and recorded.json()["id"] == "msg_upstream", recorded.body[:300]
    after = cassette.stat()
    assert after.st_ino == before.st_ino  # the same file, appended to (a rewrite replaces it)
    grown = cassette.read_bytes()
    assert grown.startswith(head) and len(grown) - len(head) < 20_000
    bodies = [i["request"]["body"] for i in yaml.safe_load(grown)["interactions"]]
    contents = [(b["json"] if "json" in b else json.loads(b["string"]))["messages"][0]["content"] for b in bodies]
    assert contents[:40] == ["old"] * 40  # then the bystanders' requests, recorded too, and ours in order
    assert [c for c in contents[40:] if c.startswith("new")] == ["new 0", "new 1", "new 2"]


HOSTILE = {
    "not YAML": ("interactions: [\n  - {request: ", "not valid YAML"),
    "a list": ("- 1\n- 2\n", "not a cassette"),
    "a huge integer": ("interactions:\n- request: {method: POST, uri: /v1/messages}\n  response: {status: "
                       + "9" * 5000 + "}\n", "cannot be read"),
    "a word for a status": ("interactions:\n- request: {method: POST, uri: /v1/messages}\n  response: {status: ok}\n",
                            "interaction 0 is malformed"),
    "a string interaction": ("interactions:\n- just text\n", "interaction 0 is malformed"),
    "deep nesting": ("interactions: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than 200 levels"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_f9_a_hostile_cassette_is_named_at_start_up_without_a_traceback(tmp_path, case):
    text, says = HOSTILE[case]
    (tmp_path / "default.yaml").write_text(text)
    run = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", "0", "--cassettes", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert run.returncode != 0
    assert "Traceback" not in run.stderr and str(tmp_path / "default.yaml") in run.stderr and says in run.stderr, \
        run.stderr[-2000:]


def test_f9_a_hostile_cassette_named_by_a_request_is_400(tmp_path):
    (tmp_path / "default.yaml").write_text("interactions: []\n")
    for name, (text, _) in HOSTILE.items():
        (tmp_path / f"{name.replace(' ', '-')}.yaml").write_text(text)
    with ServerProcess("--cassettes", str(tmp_path), "--on-miss", "synthesize") as server:  # bystanders: 200
        for name, (_, says) in HOSTILE.items():
            file = f"{name.replace(' ', '-')}.yaml"
            response = while_misbehaving(server, lambda: message(server, x_mock_cassette=name.replace(" ", "-")))
            assert_invalid_request(response, "cassette", file, says)


@pytest.mark.parametrize("value", ["0", "-1"])
def test_f8_a_proxy_timeout_that_is_not_positive_is_refused_at_start_up(tmp_path, value):
    run = subprocess.run([sys.executable, "-m", "mockserver", "serve", "--port", "0", "--cassettes", str(tmp_path),
                          "--proxy", "http://127.0.0.1:9", "--proxy-timeout", value],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "--proxy-timeout must be a positive number of seconds" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr

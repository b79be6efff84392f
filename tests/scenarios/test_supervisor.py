"""`serve --workers 2` on Linux: one SO_REUSEPORT socket per worker under a small supervisor
that reports a taken port, forwards signals and leaves no worker behind."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from mockserver import workers

from ..helpers import MESSAGE_BODY, headers

pytestmark = pytest.mark.skipif(not workers.SUPPORTED, reason="uvicorn's supervisor runs the workers here")


def start(port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--workers", "2", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def worker_pids(base_url: str) -> dict[int, str]:
    """Each worker's pid -> a request id it handed out (new connections until both answered)."""
    seen: dict[int, str] = {}
    deadline = time.monotonic() + 30
    while len(seen) < 2 and time.monotonic() < deadline:
        try:
            with httpx.Client(base_url=base_url) as client:
                pid = client.get("/_mock/health").json()["pid"]
                seen[pid] = client.post("/v1/messages", json=MESSAGE_BODY, headers=headers()).headers["request-id"]
        except httpx.TransportError:
            time.sleep(0.05)
    return seen


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_both_workers_answer_and_stop_on_sigterm():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = start(port)
    try:
        seen = worker_pids(f"http://127.0.0.1:{port}")
        assert len(seen) == 2
        assert len({request_id[:20] for request_id in seen.values()}) == 2  # each worker its own id stem
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
    finally:
        server.kill()
    printed = server.stdout.read().decode().splitlines()  # the start-up summary, and nothing after it
    assert printed[0] == f"anthropic-mockserver listening on http://127.0.0.1:{port}"
    assert printed[-1] == f"ANTHROPIC_BASE_URL=http://127.0.0.1:{port}"
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in seen)


def test_a_taken_port_is_an_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = start(taken.getsockname()[1])
        try:
            assert server.wait(timeout=20) == 1
        finally:
            server.kill()
    assert "Address already in use" in server.stderr.read().decode()

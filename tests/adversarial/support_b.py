"""Shared by the hardening tests of issue 11 part B: a real server in a subprocess (so its RSS can
be read from /proc), raw byte bodies over a real socket, the API envelope, and a bystander client
whose ordinary request must be answered while a hostile one is in flight."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable

import httpx

from mockserver.testing import free_port

from ..helpers import KEY, MESSAGE_BODY, headers

BYSTANDER_SECONDS = 1.0  # the bound: another client is answered within 1 s


class ServerProcess:
    """`mockserver serve` on a free loopback port, in its own process."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile()  # not a pipe: a full pipe would stall the server
        self._process = subprocess.Popen(
            [sys.executable, "-m", "mockserver", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--batch-seconds", "0", *args], stdout=subprocess.DEVNULL, stderr=self._log)

    def start(self) -> ServerProcess:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._log.seek(0)
                raise RuntimeError(f"the mock server exited: {self._log.read().decode()[-2000:]}")
            try:
                httpx.get(f"{self.base_url}/_mock/health", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the mock server did not start")

    def rss_mb(self) -> float:
        with open(f"/proc/{self._process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()


def post_raw(base_url: str, path: str, body: bytes, timeout: float = 60) -> httpx.Response:
    return httpx.post(f"{base_url}{path}", content=body, timeout=timeout,
                      headers={**headers(key=KEY), "content-type": "application/json"})


def bystander_seconds(base_url: str) -> float:
    """How long an ordinary Messages request takes to be answered (asserting it succeeds)."""
    started = time.monotonic()
    response = httpx.post(f"{base_url}/v1/messages", json=MESSAGE_BODY, headers=headers(), timeout=30)
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.text
    return elapsed


def while_bystander_waits(base_url: str, hostile: Callable[[], httpx.Response]) -> httpx.Response:
    """Run `hostile` and, while it is in flight, check an ordinary request is answered within 1 s."""
    box: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: box.setdefault("response", hostile()), daemon=True)
    thread.start()
    time.sleep(0.05)  # let the hostile request reach the server first
    waited = bystander_seconds(base_url)
    thread.join(timeout=60)
    assert "response" in box, "the hostile request was not answered within 60 s"
    assert waited < BYSTANDER_SECONDS, f"an ordinary request waited {waited:.2f} s"
    return box["response"]


def assert_invalid_request(response: httpx.Response, *words: str) -> str:
    """A 400 invalid_request_error in the envelope with a request-id, whose message names the problem."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert response.headers["request-id"].startswith("req_")
    assert body["request_id"] == response.headers["request-id"]
    message = body["error"]["message"]
    for word in words:
        assert word in message, message
    return message


def tool_request(schema: Any, **extra: Any) -> dict[str, Any]:
    """A Messages request that forces a call of one tool with `schema` as its input_schema."""
    return {**MESSAGE_BODY, "tools": [{"name": "get_weather", "input_schema": schema}],
            "tool_choice": {"type": "any"}, **extra}


def output_request(schema: Any, **extra: Any) -> dict[str, Any]:
    return {**MESSAGE_BODY, "output_config": {"format": {"type": "json_schema", "schema": schema}}, **extra}

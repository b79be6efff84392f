"""The mock as a real subprocess, for tests that want a process rather than a fixture (Testcontainers-style).

    with MockProcess(args=["--stateless"]) as mock:
        client = anthropic.Anthropic(base_url=mock.base_url, api_key="sk-ant-test")

The process is `python -m mockserver serve --host HOST --port PORT *args`; port 0 picks a free one.
Its output goes to a temporary file (`mock.output()`), so a chatty server can never block on a full pipe.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import IO, Sequence

HEALTH_PATH = "/_mock/health"
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: never through a proxy


class MockProcess:
    def __init__(self, port: int = 0, args: Sequence[str] = (), *, host: str = "127.0.0.1",
                 startup_timeout: float = 30.0, env: dict[str, str] | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self.args = list(args)
        self.startup_timeout = startup_timeout
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def command(self) -> list[str]:
        return [sys.executable, "-m", "mockserver", "serve", "--host", self.host, "--port", str(self.port),
                *self.args]

    def start(self) -> MockProcess:
        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(self.command, stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, env=self.env)
        try:
            wait_for_health(self.base_url + HEALTH_PATH, self.process, self.startup_timeout)
        except RuntimeError as error:
            self.stop()
            raise RuntimeError(f"{error}\n{self.output()}") from None
        return self

    def health(self) -> dict:
        with _DIRECT.open(self.base_url + HEALTH_PATH, timeout=5) as response:
            return json.load(response)

    def output(self) -> str:
        """Everything the process printed so far (its start-up summary, errors)."""
        if self._log is None:
            return ""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def __enter__(self) -> MockProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self._log is not None:
            self._log.close()
            self._log = None


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_for_health(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Return once `url` answers 200; RuntimeError if the process exits first or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the mock exited with status {process.returncode} before it was healthy")
        try:
            with _DIRECT.open(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"the mock did not answer {url} within {timeout:g} s")

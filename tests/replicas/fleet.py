"""Mock replicas as real processes (`mockserver serve --store postgresql://...`) for the tests."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.helpers import headers
from tests.replicas.postgres_server import free_port

START_SECONDS = 90  # a loaded two-core machine starts a replica in a few seconds; be generous


@dataclass
class Replica:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_replicas(store_url: str, count: int, logs: Path, *flags: str) -> list[Replica]:
    replicas = []
    for index in range(count):
        port = free_port()
        log = logs / f"replica-{index + 1}-{port}.log"
        command = [sys.executable, "-m", "mockserver", "serve", "--store", store_url, "--port", str(port), *flags]
        with open(log, "wb") as sink:
            process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT,
                                       env={**os.environ, "PYTHONUNBUFFERED": "1"})
        replicas.append(Replica(process, port, log))
    for replica in replicas:
        _wait_ready(replica)
    return replicas


def _wait_ready(replica: Replica) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if replica.process.poll() is not None:
            raise RuntimeError(f"replica on port {replica.port} exited:\n{replica.output()[-3000:]}")
        try:
            if httpx.get(f"{replica.url}/_mock/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"replica on port {replica.port} did not start:\n{replica.output()[-3000:]}")


@dataclass
class Fleet:
    """Replicas behind a round-robin 'load balancer': `next()` is the replica for the next request."""

    replicas: list[Replica]
    clients: list[httpx.Client] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clients = [httpx.Client(base_url=r.url, timeout=60) for r in self.replicas]
        self._turn = itertools.cycle(range(len(self.replicas)))

    def next(self) -> httpx.Client:
        return self.clients[next(self._turn)]

    def close(self) -> None:
        for client in self.clients:
            client.close()
        for replica in self.replicas:  # all at once: they shut down in parallel
            if replica.process.poll() is None:
                replica.process.terminate()
        for replica in self.replicas:
            replica.stop()


def api_headers(session: str, **extra: str) -> dict[str, str]:
    return {**headers(), "x-mock-session": session, **extra}


def is_envelope(response: httpx.Response) -> bool:
    """An error answered the API's way: JSON envelope with its type and the request id."""
    try:
        body: Any = response.json()
    except ValueError:
        return False
    return (body.get("type") == "error" and isinstance(body.get("error"), dict)
            and body.get("request_id") == response.headers.get("request-id"))

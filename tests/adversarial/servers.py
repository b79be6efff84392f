"""The two ways the adversarial tests start a real server on a free loopback port, with one shape:
both are context managers with `.port`, `.base_url` and `.rss_mb()`, and answer batches at once.

- `ServerProcess`: `mockserver serve ARGS` in its own process, so its resident memory is its own
  (the memory-bomb tests) and the CLI's own start-up path is what runs.
- `ServerThread`: the `MockServer` on a thread of the test process, for tests that set a `Config`
  field directly or patch the engine; its resident memory is the test process's."""

from __future__ import annotations

import os
from typing import Any

from mockserver.config import Config
from mockserver.server import MockServer
from mockserver.testing import MockProcess

START_SECONDS = 60.0  # generous: the machine may be busy with other test workers


def resident_mb(pid: int) -> float:
    """A process's resident memory (VmRSS) in MB, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


class ServerProcess(MockProcess):
    """`mockserver serve --batch-seconds 0 ARGS` in its own process."""

    def __init__(self, *args: str) -> None:
        super().__init__(args=["--batch-seconds", "0", *args], startup_timeout=START_SECONDS)

    def rss_mb(self) -> float:
        assert self.process is not None, "the server was not started"
        return resident_mb(self.process.pid)


class ServerThread(MockServer):
    """`MockServer` with batches answered at once and any `Config` fields overridden."""

    def __init__(self, **overrides: Any) -> None:
        super().__init__(Config(batch_seconds=0), **overrides)

    def rss_mb(self) -> float:
        return resident_mb(os.getpid())

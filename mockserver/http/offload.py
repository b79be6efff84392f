"""Heavy work off the event loop: the CPU steps of a large request run on a small, bounded pool of
threads, so that every other client is still answered meanwhile (the loop takes the GIL back at
least every switch interval, 5 ms). A full pool refuses at once with a 429, never queues without end.

Small requests stay on the loop: a thread hop costs more than their whole work.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from .errors import ApiError

LARGE_BODY = 256 * 1024  # bytes of request body from which parsing, checks and synthesis leave the loop
WORKERS = 2
QUEUED = 8  # large requests that may wait for a worker; one more is refused

T = TypeVar("T")


class Offload:
    def __init__(self, workers: int = WORKERS, queued: int = QUEUED) -> None:
        self.capacity = workers + queued
        self._busy = 0
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mockserver-heavy")

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on a worker thread, or a 429 when `capacity` large requests are in hand."""
        if self._busy >= self.capacity:
            raise ApiError("rate_limit_error", f"The mock is already working on {self.capacity} large requests "
                           f"(bodies over {LARGE_BODY // 1024} KiB); retry shortly.", headers={"retry-after": "1"})
        self._busy += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, functools.partial(function, *args))
        finally:
            self._busy -= 1

    async def for_body(self, raw_body: bytes, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` on the loop for a small body, on a worker for a large one."""
        if len(raw_body) < LARGE_BODY:
            return function(*args)
        return await self.run(function, *args)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

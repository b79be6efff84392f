"""Change detection across replicas: LISTEN/NOTIFY in place of the shared-memory ChangeCounter.

A writer notifies the channel in the transaction that changes rules or flags (PostgreSQL delivers it
at commit). A background thread per process listens and counts what arrives, so a request's check
"did anything change?" stays one integer comparison, with no query. After a lost connection the
count moves too: the next request reloads, as notifications may have been missed meanwhile.
"""

from __future__ import annotations

import threading
import time

import psycopg

from .connection import log

_WAIT = 1.0  # seconds a writer waits for its own notification (then every listener has it queued)


class Notifications:
    """The ChangeCounter interface (read, publish, close) over a PostgreSQL channel."""

    def __init__(self, url: str, channel: str) -> None:
        self.channel = channel
        self._url = url
        self._count = 0
        self._latest = 0  # the highest generation heard
        self._heard = threading.Condition()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, name=f"mockserver-{channel}", daemon=True)
        self._thread.start()
        self._ready.wait(30)

    def read(self) -> int:
        return self._count

    def publish(self, generation: int) -> None:
        """After a commit: wait until this process heard it, so that the answer to the change leaves
        only once the database has sent it to every listening replica."""
        deadline = time.monotonic() + _WAIT
        with self._heard:
            while self._latest < generation and not self._stopping.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._heard.wait(left)

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=3)

    def _listen(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {self.channel}")
                    self._bump(0)  # (re)connected: whatever was missed meanwhile gets reloaded
                    if failures:
                        log.warning("mockserver: listening for rule changes again")
                    failures = 0
                    self._ready.set()
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._bump(int(note.payload or 0))
            except psycopg.Error as error:
                failures += 1
                if failures == 1:
                    log.warning("mockserver: lost the rule-change channel (%s); reconnecting", error)
                self._ready.set()
                self._stopping.wait(min(2.0, 0.1 * failures))

    def _bump(self, generation: int) -> None:
        with self._heard:
            self._count += 1
            self._latest = max(self._latest, generation)
            self._heard.notify_all()

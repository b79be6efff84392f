"""Change detection across replicas: LISTEN/NOTIFY in place of the shared-memory ChangeCounter.

A writer notifies the channel in the transaction that changes rules or flags (PostgreSQL delivers it
at commit). A background thread per process listens and counts what arrives, so a request's check
"did anything change?" stays one integer comparison, with no query. While the channel is down,
every check says "changed", so each request reads the generation from the database (it polls)
until the listener is back.

Each listener also acknowledges what it heard in the `listeners` table (and beats there every
second). A writer waits, after its commit, until every live listener has acknowledged its change:
so when a control call that changed rules returns, the next request to any replica sees the change.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
import uuid

import psycopg

from .connection import log

_WAIT = 2.0  # seconds a writer waits for the acknowledgements of every live replica
_ALIVE = "5 seconds"  # a listener silent for longer is gone (killed): nobody waits for it
_BEAT = 1.0

TABLE = ("CREATE TABLE IF NOT EXISTS listeners (id TEXT PRIMARY KEY, heard BIGINT NOT NULL, "
         "alive_at TIMESTAMPTZ NOT NULL);")


class Notifications:
    """The ChangeCounter interface (read, publish, close) over a PostgreSQL channel."""

    def __init__(self, url: str, channel: str, namespace: str) -> None:
        self.channel = channel
        self.me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._url = url
        self._options = f"-c search_path={namespace}"
        self._count = 0
        self._live = False  # listening now: otherwise nobody would tell us about changes
        self._polls = itertools.count(1)
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._asker: psycopg.Connection | None = None  # the writer's connection for reading acknowledgements
        self._thread = threading.Thread(target=self._listen, name=f"mockserver-{channel}", daemon=True)
        self._thread.start()
        self._ready.wait(30)

    def read(self) -> int:
        return self._count if self._live else -next(self._polls)  # a new value on every read: "changed"

    def publish(self, generation: int) -> None:
        """After a commit: wait (bounded) until every live replica has heard `generation`."""
        deadline = time.monotonic() + _WAIT
        for attempt in range(2):  # a connection from before a database restart fails once
            try:
                self._wait_for_everyone(generation, deadline)
                return
            except psycopg.Error as error:
                self._asker = None
                if attempt:  # the change is committed; the listeners pick it up when they reconnect
                    log.warning("mockserver: could not confirm that every replica heard a rule change: %s", error)

    def _wait_for_everyone(self, generation: int, deadline: float) -> None:
        if self._asker is None or self._asker.closed:
            self._asker = psycopg.connect(self._url, autocommit=True, options=self._options, connect_timeout=2)
        while time.monotonic() < deadline:
            (behind,) = self._asker.execute(
                f"SELECT count(*) FROM listeners WHERE heard < %s AND alive_at > now() - interval '{_ALIVE}'",
                (generation,)).fetchone()
            if not behind:
                return
            time.sleep(0.002)

    def close(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=3)
        if self._asker is not None:
            self._asker.close()

    def _listen(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True, options=self._options, connect_timeout=5,
                                     application_name=f"mockserver-listener {self.me}") as conn:
                    self._serve(conn, failures)
                    failures = 0
            except psycopg.Error as error:
                self._live = False
                failures += 1
                if failures == 1:
                    log.warning("mockserver: lost the rule-change channel (%s); reconnecting", error)
                self._ready.set()
                self._stopping.wait(min(0.5, 0.1 * failures))  # back within a probe or two

    def _serve(self, conn: psycopg.Connection, failures: int) -> None:
        conn.execute(f"LISTEN {self.channel}")
        # Everything committed before this point is read by the reload that the bump below causes.
        conn.execute("INSERT INTO listeners VALUES (%s, COALESCE((SELECT value FROM meta WHERE key = 'generation'), 0),"
                     " now()) ON CONFLICT (id) DO UPDATE SET heard = excluded.heard, alive_at = now()", (self.me,))
        self._count += 1
        self._live = True
        if failures:
            log.warning("mockserver: listening for rule changes again")
        self._ready.set()
        beat = time.monotonic()
        try:
            while not self._stopping.is_set():
                # Collected first: the connection stays locked while its notifies() generator runs.
                for note in list(conn.notifies(timeout=0.5, stop_after=1)):
                    self._count += 1  # first: the acknowledgement promises that the next request reloads
                    conn.execute("UPDATE listeners SET heard = GREATEST(heard, %s), alive_at = now() WHERE id = %s",
                                 (int(note.payload or 0), self.me))
                    beat = time.monotonic()
                if time.monotonic() - beat > _BEAT:
                    conn.execute("UPDATE listeners SET alive_at = now() WHERE id = %s", (self.me,))
                    beat = time.monotonic()
        finally:
            if self._stopping.is_set() and not conn.closed:
                conn.execute("DELETE FROM listeners WHERE id = %s", (self.me,))

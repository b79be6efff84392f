"""Is the shared database reachable? One answer per database per process, shared by every store.

A replica must not freeze while the database is away: the first failed statement marks it down,
and from then on every statement fails at once (StoreUnavailable: a 503 for the client) instead of
retrying on the event loop. A background thread probes the database every PROBE_SECONDS; when it
answers, the stores replace their pools (a pool's own reconnection backs off for seconds) and the
database is marked up again, so recovery takes a probe interval, whatever the traffic meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any, Callable

import psycopg

log = logging.getLogger("mockserver")

PROBE_SECONDS = 0.1
CONNECT_SECONDS = 1  # a probe's connection attempt (a black-holed host must not stall it long)

_known: dict[str, Availability] = {}
_known_lock = threading.Lock()


def availability(url: str) -> Availability:
    """The process's tracker for `url` (checked once, at the first call)."""
    with _known_lock:
        tracker = _known.get(url)
        if tracker is None:
            tracker = _known[url] = Availability(url)
    return tracker


class Availability:
    def __init__(self, url: str) -> None:
        self.url = url
        self._recovered: list[Callable[[], None]] = []
        self._stores: list[Any] = []  # PgConnections of this process: each `ready` once its schema exists
        self._probing = threading.Lock()
        self.up = _reachable(url)
        if not self.up:
            log.warning("mockserver: the database is unreachable; serving what needs no shared state")
            self._start_probe()

    def track(self, store: Any) -> None:
        self._stores.append(store)

    def forget(self, store: Any) -> None:
        """A closed store: neither waited for nor reconnected any more."""
        self._stores = [known for known in self._stores if known is not store]
        self._recovered = [action for action in self._recovered if getattr(action, "__self__", None) is not store]

    def ready(self) -> bool:
        """The database is reachable and every store is set up (which this call finishes, if it can)."""
        if not self.up:
            return False
        try:
            for store in list(self._stores):
                store.ensure_ready()
        except Exception:  # StoreUnavailable, or a failed start-up step: not ready yet
            return False
        return True

    def when_up(self, action: Callable[[], None]) -> None:
        """Run `action` (in the probe thread) each time the database comes back, before it is marked up."""
        self._recovered.append(action)

    def lost(self, error: BaseException) -> None:
        if self.up:
            self.up = False
            log.warning("mockserver: database connection lost (%s); failing shared-state requests until it is back",
                        error)
            self._start_probe()

    def _start_probe(self) -> None:
        if self._probing.acquire(blocking=False):
            threading.Thread(target=self._probe, name="mockserver-db-probe", daemon=True).start()

    def _probe(self) -> None:
        try:
            while not _reachable(self.url):
                time.sleep(PROBE_SECONDS)
            for action in list(self._recovered):
                try:
                    action()
                except Exception as error:  # one store failing to reconnect must not keep the rest down
                    log.warning("mockserver: reconnecting after the outage: %s", error)
            self.up = True
            log.warning("mockserver: database connection restored")
        finally:
            self._probing.release()
        if not self.up:
            self._start_probe()


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_SECONDS, autocommit=True) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False

"""`serve --workers N` on Linux: N processes, each accepting on its own SO_REUSEPORT socket on
the same address, so the kernel spreads connections evenly across them (under uvicorn's
supervisor they share one socket, and whichever process wakes first takes the most).

The parent binds the sockets (a taken port fails here, before anything starts), forks the
workers and then only supervises: it forwards SIGINT and SIGTERM, replaces a worker that dies
while serving, and stops them all when one fails to start. Workers die with the parent.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import socket
import sys
import traceback
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Iterator

from .config import Config

# Elsewhere SO_REUSEPORT either does not exist or does not balance (macOS hands every
# connection to one socket): `serve` falls back to uvicorn's supervisor there.
SUPPORTED = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")
STARTUP_FAILURE = 3  # a worker's exit code when it could not start serving (as in uvicorn)
BACKLOG = 2048  # uvicorn's default
SIGNALS = (signal.SIGINT, signal.SIGTERM)
_PR_SET_PDEATHSIG = 1


def bind(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` listening sockets on one address (port 0: one free port); OSError when it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # Without SO_REUSEPORT this fails when anyone listens there, even another mock that would
        # otherwise quietly share the port with us.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            # proto=IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted connections only when the
            # listening socket says TCP (uvicorn issue #3149); uvloop sets it anyway.
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if count > 1:  # one socket needs no sharing (and Windows has no SO_REUSEPORT)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            sock.listen(BACKLOG)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class Supervisor:
    """Runs one worker per socket until told to stop; `run` returns the exit code."""

    def __init__(self, config: Config, options: dict[str, Any], sockets: list[socket.socket]) -> None:
        self.config = config
        self.options = options
        self.sockets = sockets
        self._context = multiprocessing.get_context("fork")  # workers start without importing anything again
        self._workers: dict[Any, socket.socket] = {}  # process -> its socket
        self._stopping = False
        self._code = 0

    def run(self) -> int:
        previous = {sig: signal.signal(sig, self._on_signal) for sig in SIGNALS}
        try:
            for sock in self.sockets:
                self._start(sock)
            while self._workers:
                ended = wait([process.sentinel for process in self._workers])
                for process in [p for p in self._workers if p.sentinel in ended]:
                    self._ended(process)
        finally:
            self.stop()
            for process in self._workers:
                process.join()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            for sock in self.sockets:
                sock.close()
        return self._code

    def stop(self) -> None:
        self._stopping = True
        for process in self._workers:
            process.terminate()  # SIGTERM: uvicorn shuts down gracefully

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.stop()  # the workers' exits end `run`

    def _start(self, sock: socket.socket) -> None:
        process = self._context.Process(target=_work, args=(self.config, self.options, sock, os.getpid()),
                                        name="mockserver-worker")
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)  # the child must not run our handler
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        self._workers[process] = sock

    def _ended(self, process: Any) -> None:
        process.join()
        sock = self._workers.pop(process)
        if self._stopping:
            return
        if process.exitcode == STARTUP_FAILURE:  # it would fail again: its error is on stderr
            print("mockserver: a worker could not start; stopping", file=sys.stderr, flush=True)
            self._code = 1
            self.stop()
            return
        print(f"mockserver: worker {process.pid} ended (exit code {process.exitcode}); starting another",
              file=sys.stderr, flush=True)
        self._start(sock)


def _work(config: Config, options: dict[str, Any], sock: socket.socket, parent: int) -> None:
    """One worker process: the app on its own socket, until SIGTERM or SIGINT."""
    import uvicorn

    from .app import create_app

    _exit_on_signals()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
    _die_with(parent)
    try:
        with _one_at_a_time(config.data_dir):  # type: ignore[arg-type]  # `serve` gives several workers one
            app = create_app(config)
    except Exception:
        traceback.print_exc()
        sys.exit(STARTUP_FAILURE)
    server = uvicorn.Server(uvicorn.Config(app, **options))
    try:
        server.run(sockets=[sock])
    finally:
        app.close()
    if not server.started:
        sys.exit(STARTUP_FAILURE)


@contextlib.contextmanager
def _one_at_a_time(data_dir: Path) -> Iterator[None]:
    """Workers open the shared SQLite files in turn: switching a new file to WAL while another
    worker does the same fails with "database is locked" instead of waiting."""
    import fcntl  # POSIX only, like these workers: serve imports this module on Windows too

    with open(data_dir / "startup.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _exit_on_signals() -> None:
    """Until uvicorn takes over (and after, when it re-raises the signal it shut down for):
    exit through SystemExit, so `finally` blocks run, instead of dying or a KeyboardInterrupt."""
    def leave(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    for sig in SIGNALS:
        signal.signal(sig, leave)


def _die_with(parent: int) -> None:
    """Get SIGTERM when the parent dies, even by SIGKILL: no orphan keeps the port."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before prctl
        sys.exit(0)
